package io.archipelago.node.supernet;

import io.archipelago.models.supernet.SposTrainer;
import java.util.Map;

/**
 * What a run needs to start, whether new or resumed: the trainer, its directory, its data spec (as
 * given, so that {@code --resume} can open the same images), its plan (written to train.json as
 * is), the probe's seconds per step (null when not timed: {@code --epochs}), its loss log, and the
 * seconds of training its checkpoint's steps took in earlier processes (0 for a new run; null when
 * a resumed run's train.json does not say, e.g. one written before this was recorded).
 */
record TrainSetup(
        SposTrainer trainer,
        RunDirectory run,
        String data,
        Map<String, Object> plan,
        Double secondsPerStep,
        LossLog log,
        Double trainingSecondsBefore) {}
