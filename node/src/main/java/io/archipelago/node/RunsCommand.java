package io.archipelago.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.LiveSearch;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago runs list|show|cancel}: the searches in journals (read-only), or, with {@code
 * --seed-nodes}, the searches a cluster's search host runs now; {@code cancel} stops one.
 */
@Command(
        name = "runs",
        mixinStandardHelpOptions = true,
        description = "List and show searches from their journals, or live on a cluster (--seed-nodes); cancel one.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.ShowRun.class, RunsCommand.CancelRun.class})
public final class RunsCommand {
    /** How long a live query waits to join the cluster and for the search host's answer. */
    static final Duration LIVE_TIMEOUT = Duration.ofSeconds(30);

    /** Where {@code list} and {@code show} read searches that are not live (cancel asks the cluster only). */
    static final class JournalOption {
        @Option(
                names = "--journal",
                paramLabel = "URL",
                description = "A shared journal (jdbc:postgresql://...); default: the run directories' own journals.")
        String journal;
    }

    @Option(
            names = "--json",
            scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Print JSON instead of a table.")
    boolean json;

    /** One search with where it was found (a run directory, or the shared journal). */
    private record Found(String where, SearchRecord record) {}

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the searches in run directories under ROOT (default: runs), in --journal URL, or those "
                    + "a cluster's search host runs now (--seed-nodes), with their state.")
    static final class ListRuns implements Callable<Integer> {
        @ParentCommand
        RunsCommand parent;

        @Mixin
        JournalOption journalOption = new JournalOption();

        @Mixin
        ClusterOptions cluster = new ClusterOptions();

        @Parameters(
                paramLabel = "ROOT",
                arity = "0..*",
                description = "Run directories, or folders of them (default: runs).")
        List<Path> roots = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (cluster.seedNodes != null) {
                LiveRuns.print(
                        LiveRuns.list(cluster).getSearchesList(),
                        parent.json,
                        spec.commandLine().getOut());
                return 0;
            }
            List<Found> found = new ArrayList<>();
            if (journalOption.journal != null) {
                try (JournalReader reader = JournalReader.open(JournalSettings.parse(journalOption.journal))) {
                    for (String id : reader.searchIds()) {
                        reader.search(id).ifPresent(r -> found.add(new Found(id, r)));
                    }
                }
            } else {
                for (Path root : roots.isEmpty() ? List.of(Path.of("runs")) : roots) {
                    for (Path dir : runDirectories(root)) {
                        try {
                            found.add(new Found(dir.toString(), readRun(dir)));
                        } catch (IllegalArgumentException unreadable) {
                            spec.commandLine()
                                    .getErr()
                                    .println("runs list: skipped " + dir + ": " + unreadable.getMessage());
                        }
                    }
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (parent.json) {
                out.println(new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(found.stream().map(f -> json(f)).toList()));
            } else {
                out.printf(
                        Locale.ROOT,
                        "%-40s %-22s %-6s %-10s %-13s %s%n",
                        "RUN",
                        "STRATEGY",
                        "SEED",
                        "STATE",
                        "EVALUATIONS",
                        "BEST");
                for (Found f : found) {
                    SearchRecord r = f.record();
                    out.printf(
                            Locale.ROOT,
                            "%-40s %-22s %-6d %-10s %-13s %s%n",
                            f.where(),
                            r.spec().getStrategy(),
                            r.spec().getSeed(),
                            r.state(),
                            r.evaluations() + "/" + r.spec().getBudget(),
                            best(r));
                }
                if (found.isEmpty()) {
                    out.println("(no searches)");
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show one search: a run directory, a search id with --journal URL, or a search id as it runs "
                    + "on a cluster (--seed-nodes).")
    static final class ShowRun implements Callable<Integer> {
        @ParentCommand
        RunsCommand parent;

        @Parameters(paramLabel = "RUN", description = "Run directory, or search id (with --journal or --seed-nodes).")
        String run;

        @Mixin
        JournalOption journalOption = new JournalOption();

        @Mixin
        ClusterOptions cluster = new ClusterOptions();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (cluster.seedNodes != null) {
                LiveSearch live = LiveRuns.list(cluster).getSearchesList().stream()
                        .filter(s -> s.getSearchId().equals(run))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no search " + run
                                + " runs on the cluster's search host (runs list --seed-nodes shows those that do; "
                                + "runs show " + run + " --journal URL shows one that has ended)"));
                LiveRuns.print(List.of(live), parent.json, spec.commandLine().getOut());
                return 0;
            }
            Found found;
            if (journalOption.journal != null) {
                try (JournalReader reader = JournalReader.open(JournalSettings.parse(journalOption.journal))) {
                    found = new Found(
                            run,
                            reader.search(run)
                                    .orElseThrow(() -> new IllegalArgumentException("no search " + run + " in "
                                            + JournalSettings.parse(journalOption.journal)
                                                    .describe() + " (runs list --journal shows them)")));
                }
            } else {
                found = new Found(run, readRun(Path.of(run)));
            }
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Object> shown = json(found);
            if (parent.json) {
                out.println(new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(shown));
            } else {
                shown.forEach((key, value) -> out.printf(Locale.ROOT, "  %-14s %s%n", key, value));
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "cancel",
            mixinStandardHelpOptions = true,
            description = "Cancel a search that a cluster's search host runs: no more candidates, running evaluations "
                    + "finish (or stop where their evaluator can), the end is journaled; waits until it has ended.")
    static final class CancelRun implements Callable<Integer> {
        @ParentCommand
        RunsCommand parent;

        @Parameters(paramLabel = "SEARCH_ID", description = "The search to cancel (runs list --seed-nodes shows them).")
        String searchId;

        @Option(
                names = "--reason",
                defaultValue = "cancelled by runs cancel",
                description = "Why, for the journal's stop reason (default: ${DEFAULT-VALUE}).")
        String reason;

        @Mixin
        ClusterOptions cluster = new ClusterOptions();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (cluster.seedNodes == null) {
                throw new IllegalArgumentException(
                        "--seed-nodes is required: the cluster whose search host runs " + searchId);
            }
            SearchReport report = LiveRuns.cancel(cluster, searchId, reason);
            PrintWriter out = spec.commandLine().getOut();
            if (parent.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("search_id", searchId);
                m.put("stop_reason", report.stopReason());
                m.put("evaluations", report.evaluations());
                m.put("failed", report.failed());
                m.put("cached", report.cached());
                out.println(new ObjectMapper().writeValueAsString(m));
            } else {
                out.printf(
                        Locale.ROOT,
                        "search %s ended: %s (%d evaluations)%n",
                        searchId,
                        report.stopReason(),
                        report.evaluations());
            }
            out.flush();
            return 0;
        }
    }

    /** The run directories at {@code root}: itself if it is one, else its sub-directories that are. */
    static List<Path> runDirectories(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(root + " is not a directory");
        }
        if (JournalSettings.hasJournal(root)) {
            return List.of(root);
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(Files::isDirectory)
                    .filter(JournalSettings::hasJournal)
                    .sorted()
                    .toList();
        }
    }

    static SearchRecord readRun(Path dir) throws IOException {
        JournalSettings journal = RunDirectory.journalOf(dir, null);
        try (JournalReader reader = JournalReader.open(journal)) {
            String id = RunDirectory.searchIdOf(dir, reader);
            return reader.search(id)
                    .orElseThrow(() -> new IllegalArgumentException(dir + ": its journal has no search " + id));
        }
    }

    private static String best(SearchRecord r) {
        EvaluationResult best = r.best();
        if (best == null) {
            return "-";
        }
        String metric = r.spec().getObjective().replaceAll(":.*", "");
        return String.format(
                Locale.ROOT, "%s %.4f", metric, best.getMetricsMap().get(metric));
    }

    private static Map<String, Object> json(Found f) {
        SearchRecord r = f.record();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", f.where());
        m.put("search_id", r.searchId());
        m.put("state", r.state());
        if (r.finished()) {
            m.put("stop_reason", r.stopReason());
        }
        m.put("strategy", r.spec().getStrategy());
        m.put("seed", r.spec().getSeed());
        m.put("objective", r.spec().getObjective());
        m.put("evaluations", r.evaluations());
        m.put("budget", r.spec().getBudget());
        m.put("ok", r.ok());
        m.put("failed", r.failed());
        m.put("cached", r.cached());
        m.put("resumes", r.resumes());
        m.put("events", r.events());
        m.put("created", Instant.ofEpochMilli(r.spec().getCreatedAtMs()).toString());
        m.put("last_write", Instant.ofEpochMilli(r.lastWriteMs()).toString());
        if (r.best() != null) {
            m.put("best_arch", r.best().getArchitecture().getEncoding());
            m.put("best", best(r));
        }
        m.put("args", args(r.spec()));
        return m;
    }

    /** The command line that runs the search again; a spec this build cannot decode still lists (its other fields say enough). */
    private static String args(io.archipelago.proto.SearchSpec spec) {
        try {
            return String.join(
                    " ", io.archipelago.node.setup.SearchDefinition.of(spec).toArgs());
        } catch (IllegalArgumentException e) {
            return "(" + e.getMessage() + ")";
        }
    }
}
