package io.archipelago.models.nb201;

import io.archipelago.core.nb201.MixedCell;
import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Op;
import io.archipelago.models.nn.AvgPool2d;
import io.archipelago.models.nn.BatchNorm2d;
import io.archipelago.models.nn.Conv2d;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.nn.Relu;
import io.archipelago.models.nn.Sequential;
import io.archipelago.models.nn.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One NAS-Bench-201 cell: node j sums its incoming edges' ops applied to earlier nodes; node 3 is
 * the output. {@code none} edges are left out; a node with no live input is zero.
 */
final class CellLayer implements Layer {
    /**
     * One op on one edge. A null layer is {@code skip_connect}. {@code weight} is 1/k on an edge
     * carrying k ops: a supernet edge averages its ops, as DARTS' mixed op does with uniform
     * architecture weights (TE-NAS prunes such a supernet), so adding ops does not inflate a node.
     */
    private record EdgeOp(int from, int to, Layer layer, double weight) {}

    private final List<EdgeOp> ops = new ArrayList<>();
    private INDArray input;

    CellLayer(String name, MixedCell cell, int channels, long seed) {
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            double weight = 1.0 / cell.ops(e).size(); // none counts: it is a zero op with its share
            for (Nb201Op op : cell.ops(e)) {
                String opName = name + ".edge" + Nb201Cell.from(e) + Nb201Cell.to(e) + "." + op.token();
                Layer layer = switch (op) {
                    case NONE -> null;
                    case SKIP_CONNECT -> null;
                    case NOR_CONV_1X1 -> reluConvBn(opName, channels, channels, 1, 1, seed);
                    case NOR_CONV_3X3 -> reluConvBn(opName, channels, channels, 3, 1, seed);
                    case AVG_POOL_3X3 -> new AvgPool2d(3, 1, 1);
                };
                if (op != Nb201Op.NONE) {
                    ops.add(new EdgeOp(Nb201Cell.from(e), Nb201Cell.to(e), layer, weight));
                }
            }
        }
    }

    static Layer reluConvBn(String name, int in, int out, int kernel, int stride, long seed) {
        return new Sequential(
                new Relu(),
                new Conv2d(name + ".conv", in, out, kernel, stride, Init.random(seed, name + ".conv")),
                new BatchNorm2d(name + ".bn", out));
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        input = x;
        INDArray[] nodes = new INDArray[4];
        nodes[0] = x;
        for (EdgeOp op : ops) { // in topological order (by target node)
            // A node without live inputs is zero, and ops still run on it: a conv-BN of zeros
            // outputs BN's shift, whose gradient belongs in the NTK (as in the reference).
            INDArray source = node(nodes, op.from(), x);
            INDArray out = op.layer() == null ? source : op.layer().forward(source, pass);
            if (op.weight() != 1) {
                // a fresh copy: layers may keep their output for the backward pass
                INDArray weighted = out.mul(op.weight());
                nodes[op.to()] = nodes[op.to()] == null ? weighted : nodes[op.to()].addi(weighted);
            } else {
                nodes[op.to()] = nodes[op.to()] == null ? out.dup() : nodes[op.to()].addi(out);
            }
        }
        return node(nodes, 3, x);
    }

    private static INDArray node(INDArray[] nodes, int j, INDArray like) {
        if (nodes[j] == null) {
            nodes[j] = Nd4j.zeros(like.dataType(), like.shape());
        }
        return nodes[j];
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        INDArray[] grads = new INDArray[4];
        grads[3] = dy;
        for (int i = ops.size() - 1; i >= 0; i--) {
            EdgeOp op = ops.get(i);
            INDArray g = grads[op.to()];
            if (g == null) {
                continue; // nothing flows back into this node (it does not reach the output)
            }
            if (op.weight() != 1) {
                g = g.mul(op.weight()); // fresh: released below like any layer's result
            }
            INDArray back = op.layer() == null ? g : op.layer().backward(g, pass);
            if (back != g && g != grads[op.to()]) {
                Tensors.release(g);
            }
            if (grads[op.from()] == null) {
                grads[op.from()] = back == grads[op.to()] ? back.dup() : back; // take ownership of a fresh result
            } else {
                grads[op.from()].addi(back);
                if (back != grads[op.to()]) {
                    Tensors.release(back);
                }
            }
            boolean lastIntoNode = i == 0 || ops.get(i - 1).to() != op.to();
            if (lastIntoNode && op.to() != 3) {
                Tensors.release(grads[op.to()]); // every edge into this node has taken its share
                grads[op.to()] = null;
            }
        }
        if (grads[0] == null) {
            long[] shape = input.shape().clone();
            shape[0] = dy.size(0);
            return Nd4j.zeros(dy.dataType(), shape);
        }
        return grads[0];
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        for (EdgeOp op : ops) {
            if (op.layer() != null) {
                op.layer().collectParameters(out);
            }
        }
    }
}
