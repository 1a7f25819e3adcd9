package io.archipelago.models.nb201;

import io.archipelago.models.nn.AvgPool2d;
import io.archipelago.models.nn.Conv2d;
import io.archipelago.models.nn.Init;
import io.archipelago.models.nn.Layer;
import io.archipelago.models.nn.Parameter;
import io.archipelago.models.nn.Pass;
import io.archipelago.models.nn.Sequential;
import io.archipelago.models.nn.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * NAS-Bench-201's reduction between stages: a ResNet basic block with stride 2,
 * {@code ReLU-Conv3x3/2-BN -> ReLU-Conv3x3-BN} plus an {@code AvgPool2x2 -> Conv1x1} shortcut.
 *
 * <p>On odd inputs (TE-NAS's 3x3 thin network) the shortcut comes out smaller than the residual
 * (2x2 pooling floors, a padded stride-2 conv rounds up); when it is 1x1 it is broadcast over the
 * residual's positions, as PyTorch's addition does in the reference.
 */
final class ResidualReduction implements Layer {
    private final Layer residual;
    private final Layer shortcut;
    private boolean broadcastShortcut;
    private long shortcutHeight;
    private long shortcutWidth;

    ResidualReduction(String name, int in, int out, long seed) {
        this.residual = new Sequential(
                CellLayer.reluConvBn(name + ".a", in, out, 3, 2, seed),
                CellLayer.reluConvBn(name + ".b", out, out, 3, 1, seed));
        this.shortcut = new Sequential(
                new AvgPool2d(2, 2, 0),
                new Conv2d(name + ".shortcut", in, out, 1, 1, Init.random(seed, name + ".shortcut")));
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        INDArray r = residual.forward(x, pass);
        INDArray s = shortcut.forward(x, pass);
        shortcutHeight = s.size(2);
        shortcutWidth = s.size(3);
        broadcastShortcut = shortcutHeight != r.size(2) || shortcutWidth != r.size(3);
        if (broadcastShortcut && (shortcutHeight != 1 || shortcutWidth != 1)) {
            throw new IllegalArgumentException(
                    "input " + x.size(2) + "x" + x.size(3) + " is too odd for a reduction block: residual " + r.size(2)
                            + "x" + r.size(3) + ", shortcut " + shortcutHeight + "x" + shortcutWidth);
        }
        return r.addi(s); // broadcasts a 1x1 shortcut
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        INDArray dShortcut = broadcastShortcut ? dy.sum(true, 2, 3) : dy;
        INDArray dx = residual.backward(dy, pass);
        INDArray fromShortcut = shortcut.backward(dShortcut, pass);
        dx.addi(fromShortcut);
        Tensors.release(fromShortcut);
        return dx;
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        residual.collectParameters(out);
        shortcut.collectParameters(out);
    }
}
