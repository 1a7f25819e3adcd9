package io.archipelago.models.supernet;

import io.archipelago.core.nb201.Nb201Cell;

/**
 * One SPOS training step.
 *
 * @param step the step's index (0-based; the trainer is at {@code step + 1} after it)
 * @param cell the cell drawn for it
 * @param learningRate the learning rate it used
 * @param loss the mini-batch's mean cross-entropy before the update
 * @param accuracy the mini-batch's accuracy before the update
 */
public record StepResult(long step, Nb201Cell cell, double learningRate, double loss, double accuracy) {}
