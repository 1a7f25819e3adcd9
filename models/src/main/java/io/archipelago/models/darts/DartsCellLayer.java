package io.archipelago.models.darts;

import io.archipelago.core.darts.DartsCell;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.nn.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One cell of DARTS's evaluation network ({@code Cell} of model.py): preprocesses the two
 * previous cells' outputs to C channels, computes the 4 nodes (each the sum of its two ops on
 * earlier states; in a reduction cell the ops on the inputs have stride 2) and concatenates them
 * (4C channels). Two inputs, so not a {@link Layer}: {@link DartsNetwork} wires the cells.
 *
 * <p>An op is named by its node and input ({@code cell3.node2.in1.sep_conv_3x3}), not by its
 * place in the genotype, so writing a node's pairs the other way round gives the same weights.
 */
final class DartsCellLayer {
    private final DartsCell cell;
    private final Layer preprocess0;
    private final Layer preprocess1;
    private final Layer[] ops = new Layer[DartsCell.PAIRS];
    private final int channels;

    /**
     * @param olderIn channels of the older input; {@code olderReduced}: it is at twice this cell's
     *     input resolution (the previous cell reduced)
     * @param previousIn channels of the previous cell's output
     */
    DartsCellLayer(
            String name,
            DartsCell cell,
            boolean reduction,
            int olderIn,
            boolean olderReduced,
            int previousIn,
            int channels,
            long seed) {
        this.cell = cell;
        this.channels = channels;
        this.preprocess0 = olderReduced
                ? DartsOps.factorizedReduce(name + ".preprocess0", olderIn, channels, seed)
                : DartsOps.reluConvBn(name + ".preprocess0", olderIn, channels, 1, seed);
        this.preprocess1 = DartsOps.reluConvBn(name + ".preprocess1", previousIn, channels, 1, seed);
        for (int p = 0; p < DartsCell.PAIRS; p++) {
            int input = cell.input(p);
            int stride = reduction && input < 2 ? 2 : 1;
            String opName =
                    name + ".node" + p / 2 + ".in" + input + "." + cell.op(p).token();
            ops[p] = DartsOps.of(cell.op(p), opName, channels, stride, seed);
        }
    }

    /** The concatenated nodes, {@code [B, 4C, H', W']}. */
    INDArray forward(INDArray older, INDArray previous, Pass pass) {
        INDArray[] states = new INDArray[2 + DartsCell.NODES];
        states[0] = preprocess0.forward(older, pass);
        states[1] = preprocess1.forward(previous, pass);
        for (int node = 0; node < DartsCell.NODES; node++) {
            INDArray a = ops[2 * node].forward(states[cell.input(2 * node)], pass);
            INDArray b = ops[2 * node + 1].forward(states[cell.input(2 * node + 1)], pass);
            states[node + 2] = a.add(b); // fresh: an op may return its input (identity), which others read
        }
        return Nd4j.concat(1, states[2], states[3], states[4], states[5]);
    }

    /** @return the cotangents of the older and the previous input */
    INDArray[] backward(INDArray dy, Pass pass) {
        INDArray[] grads = new INDArray[2 + DartsCell.NODES];
        for (int node = 0; node < DartsCell.NODES; node++) {
            grads[node + 2] = dy.get(
                            NDArrayIndex.all(),
                            NDArrayIndex.interval((long) node * channels, (long) (node + 1) * channels))
                    .dup();
        }
        for (int node = DartsCell.NODES - 1; node >= 0; node--) {
            INDArray g = grads[node + 2]; // complete: only later nodes read this one
            for (int k = 0; k < 2; k++) {
                int p = 2 * node + k;
                INDArray back = ops[p].backward(g, pass);
                int input = cell.input(p);
                if (grads[input] == null) {
                    grads[input] = back == g ? back.dup() : back;
                } else {
                    grads[input].addi(back);
                    if (back != g) {
                        Tensors.release(back);
                    }
                }
            }
            Tensors.release(g);
            grads[node + 2] = null;
        }
        // node 0 reads both inputs (two distinct ones of 0 and 1): both have cotangents
        INDArray d0 = preprocess0.backward(grads[0], pass);
        INDArray d1 = preprocess1.backward(grads[1], pass);
        Tensors.release(grads[0], grads[1]);
        return new INDArray[] {d0, d1};
    }

    void collectParameters(List<Parameter> out) {
        preprocess0.collectParameters(out);
        preprocess1.collectParameters(out);
        for (Layer op : ops) {
            op.collectParameters(out);
        }
    }
}
