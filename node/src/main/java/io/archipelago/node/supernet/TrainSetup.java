package io.archipelago.node.supernet;

import io.archipelago.models.supernet.SposTrainer;
import java.util.Map;

/**
 * What a run needs to start, whether new or resumed: the trainer, its directory, its data spec (as
 * given, so that {@code --resume} can open the same images), its plan (written to train.json as
 * is), the probe's seconds per step (null when not timed: {@code --epochs}), and its loss log.
 */
record TrainSetup(
        SposTrainer trainer,
        RunDirectory run,
        String data,
        Map<String, Object> plan,
        Double secondsPerStep,
        LossLog log) {}
