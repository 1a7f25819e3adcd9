package io.archipelago.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A trainable tensor of a network, with a name that says where it sits (e.g. {@code stage1.cell2.edge3.conv}). */
public record Parameter(String name, INDArray value) {
    public long size() {
        return value.length();
    }
}
