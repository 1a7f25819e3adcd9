package io.archipelago.evaluators.latency;

import io.archipelago.evaluators.EvaluationException;
import io.archipelago.models.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Times the blocks of a latency lookup table in isolation, the same way for every space: {@code
 * warmup} untimed rounds, then {@code rounds} rounds in which every block is sampled once, in a
 * shuffled order. A sample is the mean of enough back-to-back calls to last about a millisecond;
 * an entry is the median of its samples. The many short rounds spread each entry's samples over
 * the whole build, so a burst of load from elsewhere touches a minority of every entry's samples
 * instead of most samples of a few entries.
 */
final class BlockTimer {
    /** Target duration of one block sample (back-to-back calls averaged). */
    private static final double SAMPLE_MS = 1.0;

    private static final int MAX_INNER = 200;

    /**
     * Samples between two garbage collections. Each call allocates its output off-heap, which only
     * a collection frees, and a few thousand small blocks make too little heap garbage to trigger
     * one: MnasNet's 1,860 blocks at width 1.0, 96x96 grew to 22 GB and were killed by the OOM
     * killer. A collection between samples (not inside one) keeps that bounded.
     */
    private static final int SAMPLES_PER_GC = 256;

    private BlockTimer() {}

    /**
     * A block ready to run: a forward pass over a fixed input, and the weights to free afterwards.
     *
     * @param name what it is, for messages
     */
    record Block(String name, Supplier<INDArray> pass, List<Parameter> parameters) {}

    /** A block's latency: the statistics of its samples, and the calls each sample averaged. */
    record Timed(LatencyEvaluators.Stats stats, int inner) {}

    /**
     * Times {@code blocks} (in their order in the result) and frees their weights. Holds the
     * process's timing lock throughout, and warms a fresh process up first.
     */
    static List<Timed> measure(List<Block> blocks, LatencySettings settings, int rounds, long seed)
            throws EvaluationException {
        Timing.lock();
        List<Sampled> sampled = new ArrayList<>();
        try {
            Timing.warmProcess(settings);
            for (Block block : blocks) {
                sampled.add(new Sampled(block, rounds));
            }
            int calibrated = 0;
            for (Sampled s : sampled) { // calibrate: enough back-to-back calls per sample to last SAMPLE_MS
                if (++calibrated % SAMPLES_PER_GC == 0) {
                    System.gc();
                }
                for (int i = 0; i < 3; i++) {
                    s.call();
                }
                long start = System.nanoTime();
                s.call();
                double ms = (System.nanoTime() - start) / 1e6;
                s.inner = (int) Math.max(1, Math.min(MAX_INNER, Math.round(SAMPLE_MS / Math.max(ms, 1e-3))));
            }
            SplittableRandom random = new SplittableRandom(seed);
            List<Sampled> order = new ArrayList<>(sampled);
            System.gc(); // once, before the warm-up rounds: a collection right before a sample slows it
            int sinceGc = 0;
            for (int round = -Math.max(settings.warmup(), 1); round < rounds; round++) {
                shuffle(order, random);
                for (Sampled s : order) {
                    if (++sinceGc == SAMPLES_PER_GC) {
                        System.gc();
                        sinceGc = 0;
                    }
                    double ms = s.sample();
                    if (round >= 0) {
                        s.samples[round] = ms;
                    }
                    Timing.checkInterrupt();
                }
            }
            List<Timed> timed = new ArrayList<>();
            for (Sampled s : sampled) {
                timed.add(new Timed(LatencyEvaluators.Stats.of(s.samples), s.inner));
            }
            return timed;
        } catch (RuntimeException e) {
            throw new EvaluationException("a latency table block failed to run: " + e, e);
        } finally {
            for (Block b : blocks) {
                Timing.release(b.parameters());
            }
            Timing.LOCK.unlock();
        }
    }

    static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, random.nextInt(i + 1));
        }
    }

    /** A block and its samples. */
    private static final class Sampled {
        final Block block;
        final double[] samples;
        int inner = 1;
        double sink;

        Sampled(Block block, int rounds) {
            this.block = block;
            this.samples = new double[rounds];
        }

        void call() {
            sink += block.pass().get().getDouble(0);
        }

        /** Milliseconds per call, averaged over {@code inner} back-to-back calls. */
        double sample() {
            long start = System.nanoTime();
            for (int i = 0; i < inner; i++) {
                call();
            }
            return (System.nanoTime() - start) / 1e6 / inner;
        }
    }
}
