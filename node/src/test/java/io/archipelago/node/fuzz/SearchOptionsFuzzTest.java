package io.archipelago.node.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.archipelago.core.fuzz.Fuzz;
import io.archipelago.node.Main;
import io.archipelago.node.SearchCommandChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Fuzz target: the options of {@code archipelago search}, the command most options belong to.
 * Each try is an argument vector drawn from the command's own option list (picocli's model of
 * it, so a new option is fuzzed the day it is added) with values drawn for its type: edge and
 * malformed numbers, the CLI's own words (spaces, strategies, evaluators, metrics, objectives,
 * distributions, addresses, URLs) and broken ones, missing, empty and garbage files; options
 * repeated, left without their value, unknown ones. Every check the command makes before it
 * writes or starts anything runs ({@code SearchCommand.checked}), and the strategy and the
 * search's settings are built as the run would build them. The input must either hold or be
 * refused as bad input, as {@link Main} reports it: a picocli parameter error or an
 * IllegalArgumentException, with a message of one line (exit 2). Anything else (a
 * NullPointerException, a NumberFormatException, an IllegalStateException) would end the command
 * with exit 1 or a stack trace for what is the user's mistake: a finding. A try may not take
 * 30 s (a hang).
 *
 * <p>Runs {@value #TRIES} tries from a fixed seed in {@code mvn verify};
 * {@code -Darchipelago.fuzz.seconds=N} runs for N seconds from a random one (see {@link Fuzz}).
 */
class SearchOptionsFuzzTest {
    static final int TRIES = 200;

    private static final List<String> NUMBERS = List.of(
            "0",
            "1",
            "2",
            "3",
            "-1",
            "-0",
            "7",
            "2147483647",
            "2147483648",
            "-2147483649",
            "1e3",
            "0.5",
            "NaN",
            "Infinity",
            "-Infinity",
            "1e309",
            "4.9e-324",
            "0x10",
            "",
            " 1",
            "abc",
            "1,2",
            "1_000");

    private static final List<String> WORDS = List.of(
            "",
            " ",
            ":",
            ",",
            ",,",
            "\u0000",
            "é\u2028",
            "x",
            "none",
            "-",
            "--",
            // spaces, strategies, evaluators, predictors, schedulers
            "nb201",
            "nb201-mixed",
            "darts",
            "mnasnet",
            "nbgraph",
            "random",
            "evolution",
            "reinforce",
            "agnn",
            "predictor-evolution",
            "ctnas",
            "nao",
            "teg-evolution",
            "nsga2",
            "tenas-prune",
            "tabular",
            "teg",
            "supernet",
            "train",
            "runner:",
            "runner:true",
            "runner:/nonexistent",
            "worker:",
            "worker:x",
            "worker:a b",
            "gcn",
            "nac",
            "te",
            "median",
            "asha",
            "hyperband",
            "fifo",
            // metrics, objectives, constraints, rewards
            "cifar10_valid_12",
            "cifar10_valid_12:max",
            "cifar10_valid_12:min",
            "cifar10_valid_200:max",
            "x:max",
            "params:min",
            "latency_ms:min",
            "ntk_cond:min",
            "valid_acc:max",
            "supernet_accuracy",
            ":max",
            "params:",
            "cifar10_valid_12:max,params:min",
            "cifar10_valid_12:max,latency_ms:min",
            "a:b:c",
            "params:min,params:min",
            "params<=1e6",
            "latency_ms<=20",
            "params<=",
            "<=1",
            "params<=NaN",
            "params>=x",
            "mnasnet",
            "-0.07",
            // distributions, steps, data, addresses, URLs, transports, devices
            "100ms",
            "lognormal:100ms,0.5",
            "lognormal:",
            "lognormal:-1ms,0.5",
            "fixed:5ms",
            "5s",
            "-5ms",
            "1,3,9",
            "3,1",
            "0,1",
            "gaussian",
            "fashion-mnist",
            "fashion-mnist:/nonexistent",
            "cifar10:/nonexistent",
            "cifar10:",
            "nb201:cifar10",
            "nbgraph:cora",
            "nbgraph:x",
            "127.0.0.1",
            "127.0.0.1:0",
            "127.0.0.1:99999",
            "host:",
            ":2551",
            "[::1]:2551",
            "jdbc:h2:mem:x",
            "jdbc:postgresql://127.0.0.1:1/x",
            "jdbc:x",
            "aeron-udp",
            "tcp",
            "tls-tcp",
            "local",
            "dev.ice",
            "dev ice",
            "1.5");

    private static List<Path> files;

    /** A missing file, an empty one, garbage, a directory, CSVs a table would refuse. */
    private static synchronized List<Path> files() {
        if (files == null) {
            try {
                Path dir = Files.createTempDirectory(
                        Files.createDirectories(Path.of("target", "fuzz-search-options")), "files");
                files = List.of(
                        dir.resolve("missing.csv"),
                        Files.writeString(dir.resolve("empty.csv"), ""),
                        Files.write(dir.resolve("garbage.bin"), new byte[] {0, (byte) 0xff, '\n', ',', '"'}),
                        Files.createDirectories(dir.resolve("a-dir")),
                        Files.writeString(dir.resolve("header.csv"), "arch,cifar10_valid_12\n"),
                        Files.writeString(dir.resolve("row.csv"), "arch,cifar10_valid_12\n|x~0|,abc\n"),
                        Path.of(""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    private static final List<OptionSpec> OPTIONS = new CommandLine(Main.class)
            .getSubcommands().get("search").getCommandSpec().options().stream()
                    .filter(o -> !o.usageHelp() && !o.versionHelp())
                    .filter(o -> !o.longestName().equals("--resume")) // ResumeFuzzTest's
                    .toList();

    private static String value(SplittableRandom random, OptionSpec option) {
        Class<?> type = option.type();
        boolean number = type == int.class
                || type == Integer.class
                || type == long.class
                || type == Long.class
                || type == double.class
                || type == Double.class;
        if (random.nextInt(8) == 0) { // any type may be given any word
            return Fuzz.pick(random, random.nextBoolean() ? NUMBERS : WORDS);
        }
        if (number) {
            return Fuzz.pick(random, NUMBERS);
        }
        if (type == Path.class) {
            return Fuzz.pick(random, files()).toString();
        }
        return Fuzz.pick(random, WORDS);
    }

    /** Up to 8 options of {@code search}, each with a drawn value, sometimes damaged. */
    static List<String> draw(SplittableRandom random) {
        List<String> args = new ArrayList<>(List.of("search"));
        int count = Fuzz.size(random, 8);
        for (int i = 0; i < count; i++) {
            OptionSpec option = Fuzz.pick(random, OPTIONS);
            String name = option.longestName();
            if (option.arity().max == 0) {
                args.add(random.nextInt(6) == 0 ? name + "=" + random.nextBoolean() : name);
                continue;
            }
            String value = value(random, option);
            switch (random.nextInt(12)) {
                case 0 -> args.add(name); // no value: the next option becomes it, or nothing does
                case 1 -> args.add(name + "=" + value);
                case 2 -> args.add("--no-such-option");
                default -> {
                    args.add(name);
                    args.add(value);
                }
            }
        }
        return args;
    }

    /** Holds, or is refused as bad input with one line; never anything else, never a hang. */
    static void holdsOrIsRefused(List<String> args) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            CommandLine.ParseResult parsed;
            try {
                parsed = new CommandLine(Main.class).parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException refused) {
                oneLine(refused.getMessage());
                return;
            }
            try {
                SearchCommandChecks.check(parsed.subcommand().commandSpec().userObject());
            } catch (IllegalArgumentException refused) {
                oneLine(refused.getMessage());
            }
        });
    }

    private static void oneLine(String message) {
        assertNotNull(message, "a refusal must say what was wrong");
        assertFalse(message.isBlank(), "a refusal must say what was wrong");
        assertFalse(message.strip().contains("\n"), "a refusal of one line: " + message);
    }

    @Test
    void everyOptionOfSearchHoldsOrIsRefusedAsBadInput() {
        Fuzz.check("search options", 2512, TRIES, SearchOptionsFuzzTest::draw, SearchOptionsFuzzTest::holdsOrIsRefused);
    }

    /** Inputs the fuzzing found, kept. */
    @Test
    void regressions() {
        List<List<String>> found = List.of();
        found.forEach(SearchOptionsFuzzTest::holdsOrIsRefused);
    }
}
