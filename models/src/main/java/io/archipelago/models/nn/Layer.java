package io.archipelago.models.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A piece of a network with a hand-written backward pass. Why not SameDiff: indicators such as the
 * NTK need one gradient <em>per sample</em> (or per output cotangent) for every parameter, which an
 * autodiff graph only gives by one backward pass per sample; here every layer computes its
 * per-cotangent parameter gradients directly, and the batch-norm gradient of ND4J M2.1 is broken.
 *
 * <p>{@link #forward} caches what {@link #backward} needs, so a layer instance serves one pass at
 * a time. Backward takes cotangents in the layout of the {@link Pass} ({@code [K*M, ...]}, see
 * there) and hands each parameter's per-cotangent gradient to the pass's sink.
 */
public interface Layer {

    INDArray forward(INDArray input, Pass pass);

    /** @return the cotangents of this layer's input, {@code [K*M, ...]} */
    INDArray backward(INDArray outputCotangents, Pass pass);

    /** Appends this layer's parameters, in a fixed order. */
    void collectParameters(List<Parameter> out);
}
