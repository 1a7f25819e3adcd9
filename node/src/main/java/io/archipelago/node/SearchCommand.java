package io.archipelago.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.archipelago.controller.Controller;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.cluster.ClusterSettings;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.cluster.SearchHost;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.node.run.ParetoFront;
import io.archipelago.node.run.RunRecorder;
import io.archipelago.proto.SearchSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code archipelago search}: one search in this JVM, with its files in a run directory. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Run a search (in this JVM, or with --cluster on a cluster's evaluator nodes) and write summary.json, evaluations.csv and history.png.")
public final class SearchCommand implements Callable<Integer> {
    public static final String SUMMARY = "summary.json";
    public static final String EVALUATIONS = "evaluations.csv";
    public static final String HISTORY = "history.png";
    public static final String PARETO = "pareto.png";
    /** Which search of which journal a run directory holds: written first, so a run can be resumed from a shared journal. */
    public static final String RUN = "run.json";

    @Mixin
    SearchOptions options;

    @Option(names = "--budget", defaultValue = "300", description = "Evaluations to run (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the strategy (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<timestamp>).")
    Path dir;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--cluster", description = "Run the controller as a cluster node (roles controller, predictor) and evaluate on the "
            + "cluster's evaluator nodes instead of --slots local ones.")
    boolean cluster;

    @Option(names = "--min-evaluators", defaultValue = "1",
            description = "With --cluster: the search starts once the cluster offers this many evaluator slots; it is also the number "
                    + "of evaluations a model-guided strategy lets run during a refit (default: ${DEFAULT-VALUE}).")
    int minEvaluators;

    @Mixin
    ClusterOptions clusterOptions = new ClusterOptions();

    @Option(names = "--journal", paramLabel = "URL",
            description = "Where the search's events are journaled: jdbc:postgresql://HOST:PORT/DB?user=U&password=P (a cluster's shared "
                    + "journal), jdbc:h2:file:PATH, or none (default: " + JournalSettings.H2_FILE + " in the run directory).")
    String journal;

    @Option(names = "--journal-retry", defaultValue = "120", paramLabel = "SECONDS",
            description = "How long the search goes on while its journal's database is away (a restart, a fail-over), its steps "
                    + "kept in memory and written once it is back, before it stops, resumable (default: ${DEFAULT-VALUE}).")
    int journalRetry;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Go on with the run in DIR from its journal (after a crash or kill): the same as 'archipelago resume DIR'.")
    Path resume;

    @Option(names = "--snapshot-every", defaultValue = "5000", paramLabel = "EVENTS",
            description = "Journal a snapshot of the search after at least this many steps, once it has doubled since the last "
                    + "one, so a long search recovers from one record (0: never; default: ${DEFAULT-VALUE}).")
    int snapshotEvery;

    /** Options that say where a run goes, not what it searches: not part of the journaled spec. */
    private static final Set<String> NOT_IN_SPEC = Set.of("--out", "--quiet", "--journal", "--journal-retry", "--resume",
            "--snapshot-every");

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    private PrintWriter err;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        if (resume != null) {
            return resume(resume, journal, quiet, out, err);
        }
        if (snapshotEvery < 0) {
            throw new IllegalArgumentException("--snapshot-every must be >= 0, got " + snapshotEvery);
        }
        JournalSettings journalSettings = journal != null ? JournalSettings.parse(journal) : null;
        OptionChecks.positive("--budget", budget);
        OptionChecks.positive("--journal-retry", journalRetry);
        ClusterSettings clusterSettings = null;
        if (cluster) {
            OptionChecks.positive("--min-evaluators", minEvaluators);
            clusterSettings = clusterOptions.settings(EnumSet.of(NodeRole.CONTROLLER, NodeRole.PREDICTOR));
            options.slots = minEvaluators; // no local slots: the expected concurrency is the cluster's
        }
        SearchSetup<?> setup = SearchSetup.from(options);
        Path dir = this.dir != null ? this.dir : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        String searchId = dir.getFileName() + "-" + options.strategy + "-" + seed;
        if (journalSettings != null) {
            // Before anything is written: a journal that cannot be opened leaves no half-made run.
            journalSettings.probe();
            refuseTakenId(journalSettings, searchId, dir);
        }
        RunDirectory.prepare(dir);
        if (journalSettings == null) {
            journalSettings = JournalSettings.inRunDirectory(dir, false);
        }
        journalSettings = journalSettings.withRetryWindow(java.time.Duration.ofSeconds(journalRetry));
        SearchSpec searchSpec = setup.settings(searchId, budget).spec(setup.space.id()).addAllArgs(specArgs()).setStrategy(options.strategy)
                .setSeed(seed).setObjective(setup.objective.toString()).setCreatedBy(Main.VERSION).build();
        RunSummary.writeAtomically(dir.resolve(RUN), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsBytes(Map.of("search_id", searchId, "journal", journalSettings.describe())));
        if (cluster && journalSettings.isPostgres()) {
            runOnSearchHost(setup, dir, clusterSettings, journalSettings, searchSpec);
        } else {
            run(setup, dir, clusterSettings, journalSettings, searchSpec, true);
        }
        return 0;
    }

    /**
     * A search's id comes from its run directory's name, strategy and seed, so two runs named alike
     * would share it in a shared journal: the new one would silently take the old one's events as
     * its own (and report a finished search it never ran).
     */
    private static void refuseTakenId(JournalSettings journal, String searchId, Path dir) {
        if (!journal.durable()) {
            return;
        }
        try (JournalReader reader = JournalReader.open(journal)) {
            if (reader.holds(searchId)) {
                throw new IllegalArgumentException("the journal " + journal.describe() + " already holds search " + searchId
                        + " (from another run named " + dir.getFileName() + "); resume that run, or choose another --out name");
            }
        }
    }

    /**
     * Goes on with the run in {@code dir}: reads its journal (read-only, every event decoded, so a
     * journal that cannot be replayed fails here and is left as it is), rebuilds the search from the
     * options it records, and resumes it in this JVM.
     */
    static int resume(Path dir, String journalUrl, boolean quiet, PrintWriter out, PrintWriter err) throws Exception {
        JournalSettings journalSettings = RunDirectory.journalOf(dir, journalUrl);
        SearchRecord record;
        try (JournalReader reader = JournalReader.open(journalSettings)) {
            String searchId = RunDirectory.searchIdOf(dir, reader);
            record = reader.search(searchId).orElseThrow(() -> new IllegalArgumentException(
                    "the journal " + journalSettings.describe() + " has no search " + searchId + " (the one " + dir + " holds)"));
        }
        SearchCommand resumed = fromSpec(record.spec());
        if (resumed.cluster) {
            throw new IllegalArgumentException("search " + record.searchId() + " ran on a cluster: its controller-role nodes resume it "
                    + "(archipelago node --roles controller --journal URL)");
        }
        resumed.quiet = quiet;
        resumed.out = out;
        resumed.err = err;
        err.printf("archipelago: resuming %s (%s) in %s: %d of %d evaluations journaled%n", record.searchId(), record.state(), dir,
                record.evaluations(), record.spec().getBudget());
        resumed.run(SearchSetup.from(resumed.options), dir, null, journalSettings, record.spec(), false);
        return 0;
    }

    /** The search a journaled spec describes, its options parsed as when it started. */
    public static SearchCommand fromSpec(SearchSpec searchSpec) {
        SearchCommand command = new SearchCommand();
        try {
            new CommandLine(command).parseArgs(searchSpec.getArgsList().toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("the journal's search options do not parse (" + e.getMessage() + "): " + searchSpec.getArgsList(), e);
        }
        if (command.cluster) {
            command.options.slots = command.minEvaluators; // no local slots: the expected concurrency is the cluster's
        }
        return command;
    }

    public SearchOptions options() {
        return options;
    }

    public int budget() {
        return budget;
    }

    public long seed() {
        return seed;
    }

    public int minEvaluators() {
        return minEvaluators;
    }

    public int snapshotEvery() {
        return snapshotEvery;
    }

    /**
     * The options this search runs with, as arguments that rebuild it, defaults included (so a
     * later Archipelago with other defaults resumes the same search); where its files go and how
     * the cluster is reached are left out.
     */
    private List<String> specArgs() {
        Set<OptionSpec> cluster = new HashSet<>(spec.mixins().get("clusterOptions").options());
        List<String> args = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            Object value = option.getValue();
            if (cluster.contains(option) || NOT_IN_SPEC.contains(option.longestName()) || option.usageHelp() || option.versionHelp()
                    || value == null) {
                continue;
            }
            if (value instanceof Boolean flag) {
                if (flag) {
                    args.add(option.longestName());
                }
            } else if (value instanceof java.util.Collection<?> values) {
                for (Object v : values) {
                    args.add(option.longestName());
                    args.add(String.valueOf(v));
                }
            } else {
                args.add(option.longestName());
                args.add(String.valueOf(value));
            }
        }
        return args;
    }

    private <A> void run(SearchSetup<A> setup, Path dir, ClusterSettings clusterSettings, JournalSettings journalSettings, SearchSpec searchSpec,
                         boolean fresh) throws IOException, InterruptedException, ExecutionException {
        ProgressBar progress = quiet ? null : new ProgressBarBuilder()
                .setTaskName(options.strategy)
                .setInitialMax(budget)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .continuousUpdate()
                .build();
        ParetoFront front = setup.objectives.size() > 1 ? new ParetoFront(setup.objectives, setup.constraints) : null;
        RunRecorder recorder = new RunRecorder(dir.resolve(EVALUATIONS), setup.objective, setup.evaluatedMetrics(), progress, front);
        SearchReport report;
        SearchSettings settings = setup.settings(searchSpec.getSearchId(), budget).snapshotEvery(journalSettings.durable() ? snapshotEvery : 0)
                .journaled(journalSettings.durable());
        try (Engine engine = clusterSettings == null ? setup.engine(seed, journalSettings.config()) : clusterEngine(clusterSettings, journalSettings)) {
            if (fresh) {
                journalSettings.createSchema(engine.system());
            }
            if (clusterSettings != null) {
                settings = settings.minSlots(minEvaluators);
                err.printf("archipelago: controller %s (transport %s) waits for %d %s evaluator slot(s)%s%n",
                        engine.address(), clusterSettings.transport().id(), minEvaluators, setup.evaluatorKind(),
                        setup.latencyKind().map(kind -> " and a " + kind + " slot").orElse(""));
            }
            try {
                report = engine.run(settings, searchSpec, setup.space, setup.strategy(seed), setup.routerSettings, recorder::behavior)
                        .toCompletableFuture().get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof JournalReplayException replay) {
                    throw replay; // bad input: exit 2, naming what does not replay
                }
                throw e;
            }
        }
        Map<String, Object> summary = new RunSummary(this).map(setup, report, front);
        summary.put("journal", journalSettings.describe());
        new RunSummary(this).write(setup, dir, report, summary, recorder, front, out);
    }

    /** summary.json (whole or not at all), the charts, and the table on stdout. */
    /**
     * A cluster search on a shared journal: the cluster's search host (a singleton on the oldest
     * controller-role node, maybe this one) runs it, so it survives the death of any one node,
     * this one included. This node follows it in the journal and, once it has finished, writes the
     * run's files from the journal.
     */
    private <A> void runOnSearchHost(SearchSetup<A> setup, Path dir, ClusterSettings clusterSettings, JournalSettings journalSettings,
                                     SearchSpec searchSpec) throws IOException, InterruptedException {
        SearchRecord record;
        ProgressBar progress = quiet ? null : new ProgressBarBuilder().setTaskName(options.strategy).setInitialMax(budget)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
        long start = System.nanoTime();
        try (Engine engine = clusterEngine(clusterSettings, journalSettings)) {
            journalSettings.createSchema(engine.system());
            err.printf("archipelago: search %s goes to the cluster's search host (journal %s), which resumes it on another "
                    + "controller-role node if its node dies; it waits for %d %s evaluator slot(s)%n", searchSpec.getSearchId(),
                    journalSettings.describe(), minEvaluators, setup.evaluatorKind());
            SearchHost.init(engine.system(), journalSettings).tell(searchSpec);
            // Follows the search in the journal: each second, only the events written since.
            List<JournalReader.Timed> events = new ArrayList<>();
            try (JournalReader reader = JournalReader.open(journalSettings)) {
                while (true) {
                    Thread.sleep(1000);
                    List<JournalReader.Timed> more = reader.events(searchSpec.getSearchId(), events.isEmpty() ? 0 : events.get(events.size() - 1).sequenceNr());
                    if (more.isEmpty()) {
                        continue;
                    }
                    events.addAll(more);
                    record = SearchRecord.of(searchSpec.getSearchId(), events);
                    if (progress != null) {
                        progress.stepTo(record.evaluations());
                    }
                    if (record.finished()) {
                        break;
                    }
                }
            }
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
        ParetoFront front = setup.objectives.size() > 1 ? new ParetoFront(setup.objectives, setup.constraints) : null;
        RunRecorder recorder = new RunRecorder(dir.resolve(EVALUATIONS), setup.objective, setup.evaluatedMetrics(), null, front);
        int evaluations = 0;
        double busy = 0;
        for (var told : record.told()) {
            if (told.getSource() == io.archipelago.proto.ResultSource.RESULT_SOURCE_EVALUATED) {
                evaluations++;
                busy += told.getResult().getCostSeconds();
            }
            recorder.write(Controller.recorded(told, evaluations, Double.NaN));
        }
        recorder.finish();
        if (record.end() != null) {
            busy = record.end().getBusySeconds(); // of the run that finished it, as its slots and dispatch time are
        }
        SearchReport report = new SearchReport(searchSpec.getSearchId(), record.stopReason(),
                record.best() == null ? null : record.best().getArchitecture().getEncoding(),
                record.best() == null ? Map.of() : record.best().getMetricsMap(), record.evaluations(), record.failed(), record.cached(),
                busy, record.end() == null ? 0 : record.end().getMaxSlots(), record.end() == null ? 0 : record.end().getDispatchSeconds(),
                (System.nanoTime() - start) / 1e9);
        Map<String, Object> summary = new RunSummary(this).map(setup, report, front);
        summary.put("journal", journalSettings.describe());
        summary.put("resumes", record.resumes());
        new RunSummary(this).write(setup, dir, report, summary, recorder, front, out);
    }

    private static Engine clusterEngine(ClusterSettings settings, JournalSettings journal) {
        ClusterOptions.logMembership();
        return Engine.cluster(settings, 0, null, journal.config());
    }
}
