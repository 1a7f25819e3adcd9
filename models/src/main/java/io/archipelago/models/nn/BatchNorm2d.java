package io.archipelago.models.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Batch normalisation with affine scale and shift, built from reductions (ND4J M2.1's own
 * batch-norm op has no working gradient). With {@link Pass.BatchNorm#RUNNING} statistics at
 * initialisation (mean 0, variance 1) it is the affine map {@code gamma * x / sqrt(1 + eps) + beta}.
 */
public final class BatchNorm2d implements Layer {
    private static final double EPS = 1e-5;
    private final Parameter gamma;
    private final Parameter beta;
    private INDArray normalised; // x-hat, [B, C, H, W]
    private INDArray scale; // gamma / sigma, [1, C, 1, 1]

    public BatchNorm2d(String name, int channels) {
        this.gamma = new Parameter(name + ".gamma", Init.constant(1f, channels));
        this.beta = new Parameter(name + ".beta", Init.constant(0f, channels));
    }

    @Override
    public INDArray forward(INDArray x, Pass pass) {
        long c = x.size(1);
        INDArray g = gamma.value().reshape(1, c, 1, 1);
        if (pass.batchNorm() == Pass.BatchNorm.BATCH) {
            INDArray mean = x.mean(true, 0, 2, 3);
            INDArray centred = x.sub(mean);
            INDArray invStd =
                    Transforms.pow(centred.mul(centred).mean(true, 0, 2, 3).addi(EPS), -0.5, false);
            normalised = centred.muli(invStd);
            scale = g.mul(invStd);
        } else {
            double invStd = 1 / Math.sqrt(1 + EPS);
            normalised = x.mul(invStd);
            scale = g.mul(invStd);
        }
        return normalised.mul(g).addi(beta.value().reshape(1, c, 1, 1));
    }

    @Override
    public INDArray backward(INDArray dy, Pass pass) {
        long c = dy.size(1);
        INDArray grouped = pass.grouped(dy); // [K, M, C, H, W]
        INDArray xhat = pass.layout(normalised); // [K,1,C,H,W] or [1,M,C,H,W]
        INDArray dyXhat = grouped.mul(xhat);
        if (pass.wantsGradients()) {
            pass.gradient(gamma, dyXhat.sum(1, 3, 4));
            pass.gradient(beta, grouped.sum(1, 3, 4));
        }
        INDArray scale5 = scale.reshape(1, 1, c, 1, 1);
        INDArray dx = Nd4j.createUninitialized(dy.dataType(), dy.shape());
        INDArray dx5 = pass.grouped(dx); // a view: results are written into dx's own memory
        if (pass.batchNorm() == Pass.BatchNorm.RUNNING) {
            grouped.mul(scale5, dx5);
            Tensors.release(dyXhat);
            return dx;
        }
        // d x = (gamma / sigma) (dy - mean(dy) - x-hat * mean(dy * x-hat)), means over the M samples
        // and positions of each cotangent.
        INDArray meanDy = grouped.mean(true, 1, 3, 4);
        INDArray meanDyXhat = dyXhat.mean(true, 1, 3, 4);
        Tensors.release(dyXhat);
        INDArray correction = xhat.mul(meanDyXhat);
        grouped.sub(meanDy, dx5);
        dx5.subi(correction).muli(scale5);
        Tensors.release(correction);
        return dx;
    }

    @Override
    public void collectParameters(List<Parameter> out) {
        out.add(gamma);
        out.add(beta);
    }
}
