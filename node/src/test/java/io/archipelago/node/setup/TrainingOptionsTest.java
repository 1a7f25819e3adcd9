package io.archipelago.node.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.evaluators.train.TrainSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The train evaluator's options: their defaults make the supernet's recipe, bad values name the option. */
class TrainingOptionsTest {
    @Command(name = "host")
    static final class Host {
        @Mixin
        TrainingOptions training;
    }

    private static TrainingOptions parse(String... args) {
        Host host = new Host();
        new CommandLine(host).parseArgs(args);
        return host.training;
    }

    @Test
    void defaultsAreTheSupernetsSizeAndImages() {
        TrainSettings s = parse().settings("fashion-mnist", 3);
        assertEquals(new TrainSettings("fashion-mnist", 8, 1, 32, 64, 10_000, 5_000, 10_000, 4, 0, 3, 2, false), s);
        TrainSettings set = parse(
                        "--train-epochs",
                        "2",
                        "--train-images",
                        "640",
                        "--train-valid-images",
                        "100",
                        "--train-test-images",
                        "200",
                        "--train-channels",
                        "4",
                        "--train-cells",
                        "2",
                        "--train-batch",
                        "32",
                        "--train-threads",
                        "1",
                        "--train-augment")
                .settings("cifar10:/data", 0);
        assertEquals(new TrainSettings("cifar10:/data", 4, 2, 32, 32, 640, 100, 200, 2, 0, 0, 1, true), set);
    }

    @Test
    void badValuesNameTheirOption() {
        for (String option : new String[] {
            "--train-epochs",
            "--train-images",
            "--train-valid-images",
            "--train-test-images",
            "--train-channels",
            "--train-cells",
            "--train-batch",
            "--train-threads"
        }) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> parse(option, "0").settings("fashion-mnist", 0));
            assertTrue(e.getMessage().startsWith(option + " must be > 0"), e.getMessage());
        }
        IllegalArgumentException small = assertThrows(
                IllegalArgumentException.class,
                () -> parse("--train-images", "10").settings("fashion-mnist", 0));
        assertTrue(small.getMessage().contains("--train-batch 64"), small.getMessage());
    }
}
