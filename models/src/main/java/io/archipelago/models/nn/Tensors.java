package io.archipelago.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Off-heap memory of ND4J arrays is returned only when the garbage collector finalises their Java
 * handles, which a small Java heap rarely does: a batch-statistics NTK pass allocates gigabytes of
 * short-lived cotangents. Layers therefore release the big intermediates they own as soon as they
 * are consumed.
 */
public final class Tensors {
    private Tensors() {}

    /** Frees the arrays' memory now when they own it (views and workspace arrays are left alone). */
    public static void release(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && !a.wasClosed() && a.closeable()) {
                a.close();
            }
        }
    }
}
