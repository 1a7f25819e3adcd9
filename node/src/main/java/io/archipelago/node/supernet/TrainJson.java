package io.archipelago.node.supernet;

import io.archipelago.models.supernet.NdThreads;
import io.archipelago.models.supernet.SposTrainer;
import io.archipelago.models.supernet.TrainingSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@value RunDirectory#TRAIN_JSON} says about a run: the command, data and spec it was started
 * with (read back by {@code --resume}), its plan, where it stands, and its latest checkpoint with
 * hashes. Rewritten at the start and at every checkpoint, so it always names the checkpoint on disk.
 */
final class TrainJson {
    private TrainJson() {}

    /**
     * @param imagesPerSecond this process's training speed
     * @param trainingSeconds seconds of training for all {@code steps_done} steps, this process's and
     *     earlier ones' (null when unknown)
     */
    static void write(
            TrainSetup setup,
            String status,
            LossLog log,
            double imagesPerSecond,
            Double trainingSeconds,
            String weightsHash,
            int threads)
            throws IOException {
        SposTrainer t = setup.trainer();
        TrainingSpec ts = t.spec();
        RunDirectory run = setup.run();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", "supernet train");
        json.put("space", "nb201");
        json.put("data", setup.data());
        json.put("spec", spec(ts));
        json.put("plan", setup.plan());
        json.put("steps_per_epoch", ts.stepsPerEpoch());
        json.put("epochs", ts.totalSteps() / (double) ts.stepsPerEpoch());
        json.put("status", status);
        json.put("steps_done", t.step());
        json.put("threads", threads);
        json.put("omp_wait_policy_passive", NdThreads.passiveWaiting());
        int n = Math.min(100, ts.stepsPerEpoch());
        double[] recent = log.recentMeans(n);
        json.put("images_per_second", imagesPerSecond);
        json.put("training_seconds", trainingSeconds);
        json.put(
                "images_per_second_overall",
                trainingSeconds == null || trainingSeconds <= 0 ? null : t.step() * ts.batch() / trainingSeconds);
        json.put("final_loss", finite(recent[0]));
        json.put("final_accuracy", finite(recent[1]));
        json.put("final_window_steps", Math.min(n, log.rows().size()));
        if (Files.isRegularFile(run.checkpointFile())) { // written just before: its step is the trainer's
            json.put("checkpoint", RunDirectory.CHECKPOINT);
            json.put("checkpoint_step", t.step());
            json.put("checkpoint_sha256", run.checkpointSha256());
            json.put("weights_sha256", weightsHash);
        }
        run.writeTrainJson(json);
    }

    private static Map<String, Object> spec(TrainingSpec ts) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("channels", ts.channels());
        s.put("cells", ts.cells());
        s.put("image_size", ts.imageSize());
        s.put("classes", ts.classes());
        s.put("batch", ts.batch());
        s.put("learning_rate", ts.learningRate());
        s.put("momentum", ts.momentum());
        s.put("weight_decay", ts.weightDecay());
        s.put("total_steps", ts.totalSteps());
        s.put("train_images", ts.trainImages());
        s.put("data", ts.data());
        s.put("seed", ts.seed());
        s.put("augment", ts.augment());
        return s;
    }

    /** NaN (no steps yet) is not JSON: written as null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
