package io.archipelago.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.archipelago.node.bench.BenchOutput;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.cluster.ClusterSettings;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.node.setup.OptionChecks;
import io.archipelago.node.setup.SearchDefinition;
import io.archipelago.node.setup.SearchSetup;
import io.archipelago.node.setup.SpecOptions;
import io.archipelago.node.setup.WorkerOptions;
import io.archipelago.node.worker.WorkerGateway;
import io.archipelago.proto.SearchSpec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago search}: one search, with its files in a run directory. The options are
 * checked and turned into the search's spec here; {@link SearchRun} runs it.
 */
@Command(
        name = "search",
        mixinStandardHelpOptions = true,
        description =
                "Run a search (in this JVM, or with --cluster on a cluster's evaluator nodes) and write summary.json, evaluations.csv and history.png.")
public final class SearchCommand implements Callable<Integer> {
    public static final String SUMMARY = "summary.json";
    public static final String EVALUATIONS = "evaluations.csv";
    public static final String HISTORY = "history.png";
    public static final String PARETO = "pareto.png";
    /** Which search of which journal a run directory holds: written first, so a run can be resumed from a shared journal. */
    public static final String RUN = "run.json";

    /** What to search: the journaled spec. The options below say where its files and events go, and how the cluster is reached. */
    @Mixin
    SpecOptions specOptions;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<timestamp>).")
    Path dir;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Mixin
    ClusterOptions clusterOptions = new ClusterOptions();

    @Mixin
    WorkerOptions workerOptions = new WorkerOptions();

    @Option(
            names = "--journal",
            paramLabel = "URL",
            description =
                    "Where the search's events are journaled: jdbc:postgresql://HOST:PORT/DB?user=U&password=P (a cluster's shared "
                            + "journal), jdbc:h2:file:PATH, or none (default: " + JournalSettings.H2_FILE
                            + " in the run directory).")
    String journal;

    @Option(
            names = "--journal-retry",
            defaultValue = "120",
            paramLabel = "SECONDS",
            description =
                    "How long the search goes on while its journal's database is away (a restart, a fail-over), its steps "
                            + "kept in memory and written once it is back, before it stops, resumable (default: ${DEFAULT-VALUE}).")
    int journalRetry;

    @Option(
            names = "--detach",
            description =
                    "With --cluster and a PostgreSQL --journal: hand the search to the cluster's search host and "
                            + "exit, printing its id, once it runs there (runs list --seed-nodes shows it, runs cancel stops it).")
    boolean detach;

    @Option(
            names = "--resume",
            paramLabel = "DIR",
            description =
                    "Go on with the run in DIR from its journal (after a crash or kill): the same as 'archipelago resume DIR'.")
    Path resume;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (resume != null) {
            return resume(resume, journal, quiet, workerOptions, out, err);
        }
        Checked checked = checked();
        SearchDefinition definition = checked.definition();
        JournalSettings journalSettings = checked.journal();
        ClusterSettings clusterSettings = checked.cluster();
        SearchSetup<?> setup = checked.setup();
        WorkerGateway.Settings workers = checked.workers();
        Path dir = this.dir != null
                ? this.dir
                : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        String searchId = dir.getFileName() + "-" + definition.options().strategy + "-" + definition.seed();
        if (journalSettings != null) {
            // Before anything is written: a journal that cannot be opened leaves no half-made run.
            journalSettings.probe();
            refuseTakenId(journalSettings, searchId, dir);
        }
        RunDirectory.prepare(dir);
        if (journalSettings == null) {
            journalSettings = JournalSettings.inRunDirectory(dir, false);
        }
        journalSettings = journalSettings.withRetryWindow(Duration.ofSeconds(journalRetry));
        // Built after the setup, which fills in what the options derive (a measured latency, say): the spec holds what
        // ran.
        SearchSpec searchSpec = setup.settings(searchId, definition.budget())
                .spec(setup.space.id())
                .setConfig(definition.toConfig())
                .setStrategy(definition.options().strategy)
                .setSeed(definition.seed())
                .setObjective(setup.objective.toString())
                .setCreatedBy(Main.VERSION)
                .build();
        RunSummary.writeAtomically(
                dir.resolve(RUN),
                new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsBytes(
                                BenchOutput.ordered("search_id", searchId, "journal", journalSettings.describe())));
        SearchRun run = new SearchRun(setup, definition, dir, journalSettings, searchSpec, quiet, out, err);
        if (detach) {
            run.detached(clusterOptions);
        } else if (clusterSettings != null && journalSettings.isPostgres()) {
            run.onClusterSearchHost(clusterSettings, clusterOptions);
        } else {
            run.here(clusterSettings, clusterOptions, true, workers);
        }
        return 0;
    }

    /** The options, checked and turned into what the search needs; null fields: not asked for. */
    record Checked(
            SearchDefinition definition,
            JournalSettings journal,
            ClusterSettings cluster,
            SearchSetup<?> setup,
            WorkerGateway.Settings workers) {}

    /**
     * Every check of the options that needs no database, network or file written: a bad option is
     * refused (IllegalArgumentException naming it) before anything is made.
     */
    Checked checked() {
        SearchDefinition definition = specOptions.definition();
        JournalSettings journalSettings = journal != null ? JournalSettings.parse(journal) : null;
        OptionChecks.positive("--journal-retry", journalRetry);
        if (detach && !(definition.cluster() && journalSettings != null && journalSettings.isPostgres())) {
            throw new IllegalArgumentException(
                    "--detach hands the search to a cluster's search host: it needs --cluster and "
                            + "--journal jdbc:postgresql://... (the journal the cluster's controller-role nodes share)");
        }
        ClusterSettings clusterSettings =
                definition.cluster() ? clusterOptions.settings(EnumSet.of(NodeRole.CONTROLLER)) : null;
        SearchSetup<?> setup = SearchSetup.from(definition.options());
        WorkerGateway.Settings workers = gatewayOf(setup, workerOptions, clusterSettings);
        if (workers != null && clusterSettings != null && journalSettings != null && journalSettings.isPostgres()) {
            throw new IllegalArgumentException("--worker-port: a search on a shared journal runs in the cluster's "
                    + "search host; give the cluster a gateway node (node --roles gateway --worker-port PORT)");
        }
        return new Checked(definition, journalSettings, clusterSettings, setup, workers);
    }

    /**
     * The worker gateway this search hosts: one is needed (and only allowed) when its evaluator is
     * {@code worker:KIND}, unless it runs on a cluster, whose gateway nodes take the workers.
     */
    private static WorkerGateway.Settings gatewayOf(
            SearchSetup<?> setup, WorkerOptions options, ClusterSettings cluster) {
        if (options.enabled()) {
            if (!setup.evaluators.isWorker()) {
                throw new IllegalArgumentException(
                        "--worker-port serves worker:KIND evaluators; this search's evaluator " + "is "
                                + setup.evaluatorKind());
            }
            return options.settings(cluster != null ? cluster.host() : "127.0.0.1");
        }
        if (setup.evaluators.isWorker() && cluster == null) {
            throw new IllegalArgumentException("--evaluator " + setup.evaluatorKind() + " takes its slots from worker "
                    + "processes: open a gateway for them with --worker-port [HOST:]PORT (or search with --cluster on a "
                    + "cluster that has a gateway node)");
        }
        return null;
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
                throw new IllegalArgumentException("the journal " + journal.describe() + " already holds search "
                        + searchId + " (from another run named " + dir.getFileName()
                        + "); resume that run, or choose another --out name");
            }
        }
    }

    /**
     * Goes on with the run in {@code dir}: reads its journal (read-only, every event decoded, so a
     * journal that cannot be replayed fails here and is left as it is), rebuilds the search from the
     * spec it records, and resumes it in this JVM.
     */
    static int resume(
            Path dir, String journalUrl, boolean quiet, WorkerOptions workerOptions, PrintWriter out, PrintWriter err)
            throws Exception {
        JournalSettings journalSettings = RunDirectory.journalOf(dir, journalUrl);
        SearchRecord record;
        try (JournalReader reader = JournalReader.open(journalSettings)) {
            reader.requireSearchTables();
            String searchId = RunDirectory.searchIdOf(dir, reader);
            record = reader.search(searchId)
                    .orElseThrow(() -> new IllegalArgumentException("the journal " + journalSettings.describe()
                            + " has no search " + searchId + " (the one "
                            + (Files.isRegularFile(dir.resolve(RUN))
                                    ? dir.resolve(RUN) + " names)"
                                    : dir + " holds)")));
        }
        SearchDefinition definition = SearchDefinition.of(record.spec());
        if (definition.cluster()) {
            throw new IllegalArgumentException(
                    "search " + record.searchId() + " ran on a cluster: its controller-role nodes resume it "
                            + "(archipelago node --roles controller --journal URL)");
        }
        SearchSetup<?> setup = SearchSetup.from(definition.options());
        WorkerGateway.Settings workers = gatewayOf(setup, workerOptions, null);
        err.printf(
                "archipelago: resuming %s (%s) in %s: %d of %d evaluations journaled%n",
                record.searchId(),
                record.state(),
                dir,
                record.evaluations(),
                record.spec().getBudget());
        new SearchRun(setup, definition, dir, journalSettings, record.spec(), quiet, out, err)
                .here(null, null, false, workers);
        return 0;
    }
}
