package io.archipelago.node;

import io.archipelago.controller.Controller;
import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.journal.JournalReplayException;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.cluster.ClusterSettings;
import io.archipelago.node.engine.ClientMember;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.host.HostClient;
import io.archipelago.node.host.HostedSearch;
import io.archipelago.node.host.SearchFollower;
import io.archipelago.node.host.SearchHost;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.node.run.ParetoFront;
import io.archipelago.node.run.RunRecorder;
import io.archipelago.node.setup.SearchDefinition;
import io.archipelago.node.setup.SearchSetup;
import io.archipelago.node.worker.WorkerGateway;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.SearchSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;

/**
 * One search of {@code archipelago search} or {@code resume}, run the one way there is: its spec
 * goes to a search host, which runs it and pushes its updates back to a follower here, which
 * records them. The host is a plain actor of this JVM ({@link #here}), or the cluster's singleton
 * ({@link #onClusterSearchHost}).
 */
final class SearchRun {
    /** How often a follower of a cluster's host tells it again that it follows (it may have moved after a fail-over). */
    private static final Duration REFOLLOW = Duration.ofSeconds(3);

    /** How long a detached submission waits to join, for the host to take the search, and for its spec to be journaled. */
    private static final Duration DETACH_TIMEOUT = Duration.ofSeconds(60);

    private final SearchSetup<?> setup;
    private final SearchDefinition definition;
    private final Path dir;
    private final JournalSettings journal;
    private final SearchSpec spec;
    private final boolean quiet;
    private final PrintWriter out;
    private final PrintWriter err;

    SearchRun(
            SearchSetup<?> setup,
            SearchDefinition definition,
            Path dir,
            JournalSettings journal,
            SearchSpec spec,
            boolean quiet,
            PrintWriter out,
            PrintWriter err) {
        this.setup = setup;
        this.definition = definition;
        this.dir = dir;
        this.journal = journal;
        this.spec = spec;
        this.quiet = quiet;
        this.out = out;
        this.err = err;
    }

    /**
     * The search runs in this JVM under a host of its own: on local evaluator slots, or (with
     * {@code cluster}) as a cluster member on the cluster's evaluator nodes. Each result is
     * written to evaluations.csv as it arrives.
     *
     * @param fresh a new search (its journal's schema is made first), not a resumed one
     * @param workers the worker gateway this JVM opens for the search's worker slots (null: none)
     */
    void here(ClusterSettings cluster, ClusterOptions clusterOptions, boolean fresh, WorkerGateway.Settings workers)
            throws Exception {
        ProgressBar progress = progressBar();
        ParetoFront front = front();
        RunRecorder recorder = recorder(progress, front);
        SearchReport report;
        try (Engine engine =
                        cluster == null ? setup.engine(definition.seed(), journal.config()) : clusterEngine(cluster);
                WorkerGateway gateway = workers == null ? null : WorkerGateway.start(engine.system(), workers)) {
            if (fresh) {
                journal.createSchema(engine.system());
            }
            if (gateway != null) {
                err.printf(
                        "archipelago: worker gateway on %s:%d waits for %s workers%n",
                        workers.host(), gateway.port(), setup.evaluatorKind());
            }
            if (cluster != null) {
                err.printf(
                        "archipelago: controller %s (transport %s) waits for %d %s evaluator slot(s)%s%n",
                        engine.address(),
                        cluster.transport().id(),
                        definition.minEvaluators(),
                        setup.evaluatorKind(),
                        setup.latencyKind()
                                .map(kind -> " and a " + kind + " slot")
                                .orElse(""));
            }
            HostedSearch<?> search = HostedSearch.of(setup, definition, spec.getSearchId(), journal);
            ActorRef<Object> host = engine.system()
                    .systemActorOf(
                            SearchHost.behavior(journal, (s, j) -> search, false), SearchHost.NAME, Props.empty());
            report = follow(
                    engine,
                    host,
                    recorded -> {
                        try {
                            recorder.write(recorded);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    null);
            recorder.finish(); // closes the progress bar too
        } catch (Exception | Error e) {
            if (progress != null) {
                progress.close(); // the recorder never finished: the bar would go on drawing
            }
            throw e;
        }
        writeFiles(report, recorder, front, clusterOptions, Map.of());
    }

    /**
     * A cluster search on a shared journal: the cluster's search host (a singleton on the oldest
     * controller-role node, maybe this one) runs it, so it survives the death of any one node,
     * this one included. This node follows it; once it has ended, the run's files are written
     * from the journal (the one record that holds every result, whatever node ran them: a
     * follower that was away during a fail-over missed some of the pushed ones).
     */
    void onClusterSearchHost(ClusterSettings cluster, ClusterOptions clusterOptions) throws Exception {
        ProgressBar progress = progressBar();
        SearchReport report;
        try (Engine engine = clusterEngine(cluster)) {
            journal.createSchema(engine.system());
            err.printf(
                    "archipelago: search %s goes to the cluster's search host (journal %s), which resumes it on another "
                            + "controller-role node if its node dies; it waits for %d %s evaluator slot(s)%n",
                    spec.getSearchId(), journal.describe(), definition.minEvaluators(), setup.evaluatorKind());
            report = follow(
                    engine,
                    SearchHost.init(engine.system(), journal),
                    recorded -> {
                        if (progress != null) {
                            progress.stepTo(recorded.evaluations());
                        }
                    },
                    REFOLLOW);
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
        SearchRecord record;
        try (JournalReader reader = JournalReader.open(journal)) {
            record = reader.search(spec.getSearchId())
                    .orElseThrow(() -> new IllegalStateException("search " + spec.getSearchId()
                            + " ended, but the journal " + journal.describe() + " does not hold it"));
        }
        ParetoFront front = front();
        RunRecorder recorder = recorder(null, front);
        int evaluations = 0;
        for (var told : record.told()) {
            if (told.getSource() == ResultSource.RESULT_SOURCE_EVALUATED) {
                evaluations++;
            }
            recorder.write(Controller.recorded(told, evaluations, Double.NaN));
        }
        recorder.finish();
        writeFiles(report, recorder, front, clusterOptions, Map.of("resumes", record.resumes()));
    }

    /**
     * A cluster search handed to the cluster's search host without following it: this JVM joins as
     * a member without roles, submits, and returns once the host runs the search and its spec is
     * in the journal (so a fail-over of the host resumes it), printing its id.
     */
    void detached(ClusterOptions clusterOptions) throws Exception {
        String id = spec.getSearchId();
        try (Engine engine = ClientMember.join(clusterOptions, DETACH_TIMEOUT)) {
            journal.createSchema(engine.system());
            String host;
            try {
                host = HostClient.of(engine.system())
                        .submitDetached(spec, journal, DETACH_TIMEOUT)
                        .get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(
                        e.getCause() instanceof java.util.concurrent.TimeoutException
                                ? "the cluster's search host did not take search " + id + " within "
                                        + DETACH_TIMEOUT.toSeconds()
                                        + " s: does the cluster have a controller-role node "
                                        + "with --journal " + journal.describe() + "?"
                                : "search " + id + " cannot run: "
                                        + e.getCause().getMessage(),
                        e.getCause());
            }
            long deadline = System.nanoTime() + DETACH_TIMEOUT.toNanos();
            while (!journaled(id)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("search " + id + " runs on " + host + ", but its spec is not in "
                            + journal.describe() + " after " + DETACH_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(200);
            }
            err.printf(
                    "archipelago: search %s runs on the cluster's search host (%s); 'runs list --seed-nodes ...' "
                            + "shows it as it runs, 'runs show %s --journal URL' its results, 'runs cancel %s --seed-nodes "
                            + "...' stops it%n",
                    id, host, id, id);
        }
        out.println(id);
        out.flush();
    }

    private boolean journaled(String id) {
        try (JournalReader reader = JournalReader.open(journal)) {
            return reader.search(id).isPresent();
        }
    }

    /** Submits the search to {@code host} and waits for its end; a journal that does not replay is bad input (exit 2). */
    private SearchReport follow(
            Engine engine, ActorRef<Object> host, Consumer<SearchEvent.ResultRecorded> onResult, Duration refollow)
            throws Exception {
        CompletableFuture<SearchReport> done = new CompletableFuture<>();
        engine.system()
                .systemActorOf(
                        SearchFollower.submit(host, spec, onResult, done, refollow),
                        "follower-" + spec.getSearchId().hashCode(),
                        DispatcherSelector.blocking());
        try {
            return done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JournalReplayException replay) {
                throw replay; // bad input: exit 2, naming what does not replay
            }
            throw e;
        }
    }

    private void writeFiles(
            SearchReport report,
            RunRecorder recorder,
            ParetoFront front,
            ClusterOptions clusterOptions,
            Map<String, Object> extra)
            throws IOException {
        RunSummary summary = new RunSummary(definition, clusterOptions);
        Map<String, Object> content = summary.map(setup, report, front);
        content.put("journal", journal.describe());
        content.putAll(extra);
        summary.write(setup, dir, report, content, recorder, front, out);
    }

    private ProgressBar progressBar() {
        return quiet
                ? null
                : new ProgressBarBuilder()
                        .setTaskName(definition.options().strategy)
                        .setInitialMax(definition.budget())
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(250)
                        .continuousUpdate()
                        .build();
    }

    /** evaluations.csv, written as results come (a progress bar beside) or folded from the journal. */
    private RunRecorder recorder(ProgressBar progress, ParetoFront front) throws IOException {
        return new RunRecorder(
                dir.resolve(SearchCommand.EVALUATIONS),
                setup.objective,
                setup.fitness,
                setup.evaluatedMetrics(),
                progress,
                front);
    }

    private ParetoFront front() {
        return setup.objectives.size() > 1 ? new ParetoFront(setup.objectives, setup.constraints) : null;
    }

    private Engine clusterEngine(ClusterSettings settings) {
        ClusterOptions.logMembership();
        return Engine.cluster(settings, 0, null, journal.config());
    }
}
