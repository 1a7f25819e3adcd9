package io.archipelago.evaluators.supernet;

import io.archipelago.models.supernet.EvalImages;
import io.archipelago.models.supernet.SposCheckpoint;
import io.archipelago.models.supernet.SupernetEvaluator;
import java.util.Objects;

/**
 * One read-only copy of a trained supernet and the images candidates are scored on, shared by
 * every {@link WeightSharingEvaluator} slot of a JVM (the scoring is thread-safe and only reads the
 * weights). The weights' hash travels with every result, so results of different supernets are
 * never mixed in one search.
 *
 * @param hash the SHA-256 of the weights ({@link SposCheckpoint#weightsHashHex()})
 * @param step the training step the checkpoint was taken at
 */
public record SharedSupernet(SupernetEvaluator scorer, EvalImages images, String hash, long step) {
    public SharedSupernet {
        Objects.requireNonNull(scorer, "scorer");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(hash, "hash");
    }

    /** The supernet of {@code checkpoint}, scoring on {@code images}. */
    public static SharedSupernet of(SposCheckpoint checkpoint, EvalImages images) {
        return new SharedSupernet(
                new SupernetEvaluator(checkpoint.supernet()), images, checkpoint.weightsHashHex(), checkpoint.step());
    }
}
