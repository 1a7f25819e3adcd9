package io.archipelago.models.supernet;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The floating-point type of a supernet's weights and activations: {@link #FLOAT} for training and
 * evaluation, {@link #DOUBLE} for finite-difference gradient checks.
 */
public enum Precision {
    FLOAT(DataType.FLOAT),
    DOUBLE(DataType.DOUBLE);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** The ND4J type of the device buffers the convolutions run on. */
    public DataType dataType() {
        return dataType;
    }
}
