package io.archipelago.node.bench;

import io.archipelago.evaluators.SimulatedTime;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.setup.OptionChecks;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench soak}: a search on a loopback cluster of node processes (a shared PostgreSQL
 * journal, controller-role nodes and evaluator nodes) under churn on a seeded schedule: an
 * evaluator killed -9 and started again every few tens of seconds, one drained (SIGTERM) and
 * started again every few minutes, and the node hosting the search killed -9 every few minutes and
 * started again a while later. At the end it reads the search back from the journal and reports
 * what the churn cost: evaluations against the budget, duplicates, lost candidates, each
 * fail-over's time, and the memory of nodes that lived long (heap after a full GC, native memory
 * by NMT, resident set; at each one's 5th minute and at the end). {@link SoakRun} runs it.
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description =
                "A search under churn on a loopback cluster of node processes (kill -9, drains, fail-overs of its "
                        + "host), then what it lost, how fast it failed over, and how the long-lived nodes' memory grew.")
public final class BenchSoakCommand implements Callable<Integer> {
    @Option(
            names = "--journal",
            required = true,
            paramLabel = "URL",
            description = "The cluster's shared journal: jdbc:postgresql://HOST:PORT/DB?user=U&password=P "
                    + "(scripts/test-postgres.sh start gives one).")
    String journal;

    @Option(
            names = "--budget",
            defaultValue = "5000",
            description = "Evaluations of the search (random sampling of distinct NB201 cells: it runs out after "
                    + "about 5,400 canonical ones) (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(
            names = "--eval-time",
            defaultValue = "lognormal:1400ms,0.5",
            paramLabel = "DIST",
            description = "Simulated time of each tabular evaluation (default: ${DEFAULT-VALUE}: with 3 nodes of 2 "
                    + "slots, 5,000 evaluations take about 22 minutes).")
    String evalTime;

    @Option(
            names = "--controllers",
            defaultValue = "3",
            description = "Controller-role nodes (default: ${DEFAULT-VALUE}).")
    int controllers;

    @Option(names = "--evaluators", defaultValue = "3", description = "Evaluator nodes (default: ${DEFAULT-VALUE}).")
    int evaluators;

    @Option(
            names = "--slots",
            defaultValue = "2",
            description = "Slots per evaluator node (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(
            names = "--kill-every",
            defaultValue = "20s-40s",
            paramLabel = "MIN-MAX",
            description = "An evaluator node is killed -9 and started again after a time drawn in this range "
                    + "(default: ${DEFAULT-VALUE}).")
    String killEvery;

    @Option(
            names = "--drain-every",
            defaultValue = "120s",
            paramLabel = "DURATION",
            description =
                    "An evaluator node is drained (SIGTERM) and started again this often (default: ${DEFAULT-VALUE}).")
    String drainEvery;

    @Option(
            names = "--host-kill-every",
            defaultValue = "300s",
            paramLabel = "DURATION",
            description = "The node hosting the search is killed -9 this often (default: ${DEFAULT-VALUE}).")
    String hostKillEvery;

    @Option(
            names = "--host-down-for",
            defaultValue = "60s",
            paramLabel = "DURATION",
            description = "How long a killed host stays down before it starts again (default: ${DEFAULT-VALUE}).")
    String hostDownFor;

    @Option(
            names = "--max-minutes",
            defaultValue = "45",
            description = "The soak stops here even if the search has not finished (reported as lost) "
                    + "(default: ${DEFAULT-VALUE}).")
    double maxMinutes;

    @Option(
            names = "--base-port",
            defaultValue = "26100",
            description = "Ports from here up: each node incarnation takes a new one (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the schedule and the search (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where the nodes' logs and the run directory go (default: runs/soak-<timestamp>).")
    Path out;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Spec
    CommandSpec spec;

    /** The schedule, checked. */
    record Schedule(
            Duration killMin,
            Duration killMax,
            Duration drainEvery,
            Duration hostKillEvery,
            Duration hostDownFor,
            Duration maxRun) {}

    @Override
    public Integer call() throws Exception {
        JournalSettings journalSettings = JournalSettings.parse(journal);
        if (!journalSettings.isPostgres()) {
            throw new IllegalArgumentException("--journal must be jdbc:postgresql://...: the controller-role nodes "
                    + "share it to take the search over");
        }
        OptionChecks.positive("--budget", budget);
        OptionChecks.positive("--evaluators", evaluators);
        OptionChecks.positive("--slots", slots);
        if (controllers < 3) {
            throw new IllegalArgumentException("--controllers must be >= 3, got " + controllers
                    + ": with its host killed, the others must still be a majority");
        }
        if (basePort < 1024 || basePort > 65535 - 1000) {
            throw new IllegalArgumentException("--base-port must be in 1024.." + (65535 - 1000) + ", got " + basePort);
        }
        if (!(maxMinutes > 0) || maxMinutes > 7 * 24 * 60) {
            throw new IllegalArgumentException("--max-minutes must be > 0 and at most a week, got " + maxMinutes);
        }
        SimulatedTime.parse(evalTime); // bad input before any process starts
        String[] range = killEvery.split("-", 2);
        if (range.length != 2) {
            throw new IllegalArgumentException("--kill-every must be MIN-MAX, e.g. 20s-40s, got '" + killEvery + "'");
        }
        Schedule schedule = new Schedule(
                duration("--kill-every", range[0]),
                duration("--kill-every", range[1]),
                duration("--drain-every", drainEvery),
                duration("--host-kill-every", hostKillEvery),
                duration("--host-down-for", hostDownFor),
                Duration.ofMillis((long) (maxMinutes * 60_000)));
        if (schedule.killMax().compareTo(schedule.killMin()) < 0) {
            throw new IllegalArgumentException("--kill-every: MAX is below MIN in '" + killEvery + "'");
        }
        journalSettings.probe();
        Path dir = out != null
                ? out
                : Path.of("runs", "soak-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        PrintWriter stdout = spec.commandLine().getOut();
        SoakRun run = new SoakRun(
                journal, budget, evalTime, controllers, evaluators, slots, schedule, basePort, seed, dir, stdout);
        SoakRun.Report report = run.run();
        report.print(stdout);
        if (json) {
            BenchOutput.json(stdout, report.json());
        }
        return 0;
    }

    /** A duration as --eval-time writes a fixed one (20s, 500ms), > 0. */
    private static Duration duration(String option, String text) {
        double seconds;
        try {
            seconds = SimulatedTime.parse("fixed:" + text).meanSeconds();
        } catch (IllegalArgumentException e) {
            seconds = -1;
        }
        if (!(seconds > 0) || text.contains(",")) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a positive duration such as 20s");
        }
        return Duration.ofNanos((long) (seconds * 1e9));
    }
}
