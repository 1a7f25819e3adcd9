package io.archipelago.models.mnasnet;

import io.archipelago.core.mnasnet.MnasLayer;
import io.archipelago.core.mnasnet.MnasOp;
import io.archipelago.models.nn.BatchNorm2d;
import io.archipelago.models.nn.Conv2d;
import io.archipelago.models.nn.DepthwiseConv2d;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.nn.Relu;
import io.archipelago.models.nn.Sequential;
import io.archipelago.models.nn.SqueezeExcite;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer of a MnasNet block, as {@link MnasOp} describes each op (the TPU code's {@code
 * MnasBlock} for {@code sep}, {@code mb3} and {@code mb6}), with squeeze-and-excitation after the
 * depthwise stage (after a regular conv's ReLU) and the identity residual where {@link
 * MnasLayer#residual()} says so. Each parameter-holding layer draws its weights from (seed, its
 * name), so a layer's weights do not depend on the rest of the network.
 */
final class MnasNetLayer implements Layer {
    private final Layer body;
    private final boolean residual;

    MnasNetLayer(MnasLayer spec, long seed) {
        String name = spec.name();
        List<Layer> layers = new ArrayList<>();
        int in = spec.inFilters();
        int out = spec.outFilters();
        if (spec.op() == MnasOp.CONV) {
            layers.add(conv(name + ".conv", in, out, spec.kernel(), spec.stride(), seed));
            layers.add(new BatchNorm2d(name + ".bn", out));
            layers.add(new Relu());
            squeezeExcite(layers, spec, seed);
        } else {
            int mid = spec.expanded();
            if (spec.op().expands()) {
                layers.add(conv(name + ".expand", in, mid, 1, 1, seed));
                layers.add(new BatchNorm2d(name + ".expand_bn", mid));
                layers.add(new Relu());
            }
            layers.add(new DepthwiseConv2d(
                    name + ".depthwise", mid, spec.kernel(), spec.stride(), 1, Init.random(seed, name + ".depthwise")));
            layers.add(new BatchNorm2d(name + ".depthwise_bn", mid));
            layers.add(new Relu());
            squeezeExcite(layers, spec, seed);
            layers.add(conv(name + ".project", mid, out, 1, 1, seed));
            layers.add(new BatchNorm2d(name + ".project_bn", out)); // linear bottleneck: no ReLU
        }
        this.body = new Sequential(layers);
        this.residual = spec.residual();
    }

    private static Conv2d conv(String name, int in, int out, int kernel, int stride, long seed) {
        return new Conv2d(name, in, out, kernel, stride, Init.random(seed, name));
    }

    private static void squeezeExcite(List<Layer> layers, MnasLayer spec, long seed) {
        if (spec.seReduced() > 0) {
            String name = spec.name() + ".se";
            layers.add(new SqueezeExcite(name, spec.seChannels(), spec.seReduced(), Init.random(seed, name)));
        }
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        INDArray y = body.forward(x, pass);
        return residual ? y.addi(x) : y; // the last layer's output is its own fresh array
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        INDArray dx = body.backward(dy, pass);
        return residual ? dx.addi(dy) : dx;
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        body.collectParameters(out);
    }
}
