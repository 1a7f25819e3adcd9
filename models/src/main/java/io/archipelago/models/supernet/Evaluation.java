package io.archipelago.models.supernet;

import io.archipelago.core.nb201.Nb201Cell;

/**
 * A cell evaluated with the supernet's weights.
 *
 * @param accuracy fraction of the images classified right
 * @param meanLoss mean cross-entropy over the images
 * @param images how many images
 * @param childParameters the child network's parameter count ({@link SposSupernet#childParameterCount})
 */
public record Evaluation(Nb201Cell cell, double accuracy, double meanLoss, int images, long childParameters) {}
