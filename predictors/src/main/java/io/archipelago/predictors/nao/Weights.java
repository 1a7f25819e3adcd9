package io.archipelago.predictors.nao;

/**
 * One trainable array of the NAO network, flat and row-major, with the gradient that backward
 * passes add to. Double, unlike the GCN's float parameters: NAO's fitted {@link NaoNetwork} and its
 * embedding gradient are double, and training in the same precision keeps the hand-written
 * backward pass checkable against finite differences.
 */
final class Weights {
    final double[] value;
    final double[] gradient;

    Weights(double[] value) {
        this.value = value;
        this.gradient = new double[value.length];
    }
}
