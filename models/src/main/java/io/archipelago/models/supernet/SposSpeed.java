package io.archipelago.models.supernet;

import io.archipelago.models.data.FashionMnist;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * Training speed probe, the counterpart of {@code spos_reference.py --sample 0}: trains a SPOS
 * supernet on Fashion-MNIST (train split) for a wall-time budget and prints images/second of the
 * whole training loop (batch gather, cell draw, forward, backward, SGD step), counted from the first
 * step as the reference counts it.
 *
 * <pre>
 * OMP_WAIT_POLICY=PASSIVE java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0 \
 *   -cp ... io.archipelago.models.supernet.SposSpeed [--channels 8] [--cells 1] [--train-images 10000]
 *   [--size 32] [--seconds 30] [--threads 2] [--seed 0] [--augment] [--data /usr/share/datasets/fashion-mnist]
 * </pre>
 */
public final class SposSpeed {
    private SposSpeed() {}

    public static void main(String[] args) {
        int channels = 8, cells = 1, trainImages = 10_000, size = 32, threads = 2;
        double seconds = 30;
        long seed = 0;
        boolean augment = false;
        Path data = FashionMnist.DEFAULT_DIR;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--channels" -> channels = Integer.parseInt(args[++i]);
                case "--cells" -> cells = Integer.parseInt(args[++i]);
                case "--train-images" -> trainImages = Integer.parseInt(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--augment" -> augment = true;
                case "--data" -> data = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        NdThreads.configure(threads);
        ImageSet images = ImageSet.sample(
                FashionMnist.open(data, FashionMnist.Split.TRAIN), trainImages, seed, size, "fashion-mnist train");
        TrainingSpec spec = TrainingSpec.reference(
                channels,
                cells,
                size,
                TrainingSpec.stepsFor(1000, images.size(), 64),
                images.size(),
                images.description(),
                seed,
                augment);
        try (SposTrainer trainer = SposTrainer.create(spec, images)) {
            System.out.printf(
                    Locale.ROOT,
                    "SPOS supernet C=%d N=%d size=%d: %d weights; %d train images; threads=%d, OMP_WAIT_POLICY=%s%n",
                    channels,
                    cells,
                    size,
                    trainer.supernet().weightCount(),
                    images.size(),
                    threads,
                    System.getenv("OMP_WAIT_POLICY"));
            ArrayDeque<StepResult> recent = new ArrayDeque<>();
            var os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            long budget = (long) (seconds * 1e9);
            while (System.nanoTime() - t0 < budget && !trainer.done()) {
                recent.addLast(trainer.trainStep());
                if (recent.size() > 100) {
                    recent.removeFirst();
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            long steps = trainer.step();
            double loss =
                    recent.stream().mapToDouble(StepResult::loss).average().orElse(Double.NaN);
            double acc =
                    recent.stream().mapToDouble(StepResult::accuracy).average().orElse(Double.NaN);
            System.out.printf(
                    Locale.ROOT,
                    "trained %d steps in %.1f s: %.1f img/s; last 100 steps loss %.4f acc %.4f; "
                            + "process CPU %.1f s (%.1f ms per step)%n",
                    steps,
                    s,
                    steps * 64 / s,
                    loss,
                    acc,
                    cpu,
                    1000 * cpu / steps);
        }
    }
}
