package io.archipelago.models.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One forward (and optionally backward) pass of a batch of B inputs through a network.
 *
 * <p>Backward propagates K cotangents of the output at once, each spread over M samples, as one
 * tensor {@code [K*M, ...]}:
 * <ul>
 *   <li>{@link BatchNorm#RUNNING} statistics: samples do not interact, so cotangent k (the
 *       gradient of sample k's summed logits) lives on sample k alone: K = B, M = 1. One batched
 *       backward gives every sample's gradient.</li>
 *   <li>{@link BatchNorm#BATCH} statistics (as TE-NAS computes the NTK): batch norm couples the
 *       samples, so sample k's output depends on every input: K = B cotangents, each over all
 *       M = B samples.</li>
 * </ul>
 * A forward tensor {@code [B, ...]} is seen from the cotangents' side through {@link #layout}:
 * {@code [K, 1, ...]} (sample k for cotangent k) or {@code [1, M, ...]} (all samples, shared).
 */
public final class Pass {

    /** Which statistics batch-norm layers normalise with. */
    public enum BatchNorm {
        /** The batch's own mean and variance (training mode; TE-NAS's NTK). */
        BATCH,
        /** Running statistics at initialisation (mean 0, variance 1): an affine map per channel. */
        RUNNING
    }

    /** Receives each parameter's gradient for every cotangent, {@code [K, parameter size]}. */
    @FunctionalInterface
    public interface GradientSink {
        void accept(Parameter parameter, INDArray perCotangent);
    }

    private final BatchNorm batchNorm;
    private final int batch;
    private final GradientSink sink;
    private final List<INDArray> reluMasks; // null unless recording activation patterns

    private Pass(BatchNorm batchNorm, int batch, GradientSink sink, boolean recordRelu) {
        this.batchNorm = batchNorm;
        this.batch = batch;
        this.sink = sink;
        this.reluMasks = recordRelu ? new ArrayList<>() : null;
    }

    /** A forward-only pass. */
    public static Pass inference(BatchNorm batchNorm, int batch) {
        return new Pass(batchNorm, batch, null, false);
    }

    /** A forward-only pass that keeps every ReLU's sign pattern (for linear regions). */
    public static Pass recordingActivations(BatchNorm batchNorm, int batch) {
        return new Pass(batchNorm, batch, null, true);
    }

    /** A pass whose backward reports per-cotangent parameter gradients to {@code sink}. */
    public static Pass withGradients(BatchNorm batchNorm, int batch, GradientSink sink) {
        return new Pass(batchNorm, batch, sink, false);
    }

    public BatchNorm batchNorm() {
        return batchNorm;
    }

    /** B: samples in the forward batch. */
    public int batch() {
        return batch;
    }

    /** K: cotangents propagated together (one per sample's summed logits). */
    public int cotangents() {
        return batch;
    }

    /** M: samples each cotangent spans. */
    public int samplesPerCotangent() {
        return batchNorm == BatchNorm.RUNNING ? 1 : batch;
    }

    /** Views a forward tensor {@code [B, rest...]} from the cotangents' side: {@code [K,1,...]} or {@code [1,M,...]}. */
    public INDArray layout(INDArray forward) {
        long[] shape = forward.shape();
        long[] out = new long[shape.length + 1];
        System.arraycopy(shape, 1, out, 2, shape.length - 1);
        if (samplesPerCotangent() == 1) {
            out[0] = shape[0];
            out[1] = 1;
        } else {
            out[0] = 1;
            out[1] = shape[0];
        }
        return forward.reshape(out);
    }

    /** Groups cotangents {@code [K*M, rest...]} as {@code [K, M, rest...]}. */
    public INDArray grouped(INDArray cotangents) {
        long[] shape = cotangents.shape();
        long[] out = new long[shape.length + 1];
        System.arraycopy(shape, 1, out, 2, shape.length - 1);
        out[0] = cotangents();
        out[1] = samplesPerCotangent();
        return cotangents.reshape(out);
    }

    /**
     * The cotangents whose backward yields, for each sample k, the gradient of the sum of sample
     * k's outputs: ones on sample k, and zeros on the other samples when batch norm couples them.
     */
    public INDArray summedOutputCotangents(long outputs) {
        int k = cotangents();
        int m = samplesPerCotangent();
        if (m == 1) {
            return Nd4j.ones(Nd4j.defaultFloatingPointType(), k, outputs);
        }
        INDArray d = Nd4j.zeros(Nd4j.defaultFloatingPointType(), k, m, outputs);
        for (int i = 0; i < k; i++) {
            d.get(NDArrayIndex.point(i), NDArrayIndex.point(i), NDArrayIndex.all())
                    .assign(1);
        }
        return d.reshape((long) k * m, outputs);
    }

    void gradient(Parameter parameter, INDArray perCotangent) {
        if (sink != null) {
            sink.accept(parameter, perCotangent);
        }
    }

    boolean wantsGradients() {
        return sink != null;
    }

    void recordRelu(INDArray mask) {
        if (reluMasks != null) {
            reluMasks.add(mask);
        }
    }

    /** The sign patterns recorded by a {@link #recordingActivations} pass, one {@code [B, units]} array per ReLU. */
    public List<INDArray> reluPatterns() {
        if (reluMasks == null) {
            throw new IllegalStateException("this pass did not record activations");
        }
        return reluMasks;
    }
}
