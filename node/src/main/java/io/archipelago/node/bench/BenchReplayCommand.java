package io.archipelago.node.bench;

import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.RandomSearch;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.SearchParent;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.setup.OptionChecks;
import io.archipelago.node.setup.SearchOptions;
import io.archipelago.node.setup.SearchSetup;
import io.archipelago.proto.SearchSpec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench replay}: how long a search takes to come back from its journal. It runs a search of
 * {@code --evaluations} on an H2 journal (a temporary run directory), closes it, then starts a
 * new node on the same journal with a fresh strategy and times the controller from its start to
 * its report: reading the journal (from the last snapshot) and replaying every ask and tell.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description =
                "Time to rebuild a search from its H2 journal (recovery + strategy replay), with and without snapshots.")
public final class BenchReplayCommand implements Callable<Integer> {
    @Mixin
    SearchOptions options;

    @Option(
            names = "--evaluations",
            defaultValue = "10000",
            description = "Evaluations in the journaled search (default: ${DEFAULT-VALUE}).")
    int evaluations;

    @Option(
            names = "--snapshot-every",
            defaultValue = "5000,0",
            split = ",",
            description = "Snapshot settings to compare, in steps (0: none) (default: ${DEFAULT-VALUE}).")
    List<Integer> snapshotEvery;

    @Option(
            names = "--with-repeats",
            defaultValue = "true",
            negatable = true,
            fallbackValue = "true",
            description =
                    "Random sampling with repeats and no result cache, so the journal reaches any size (NB201 has 15,625 cells; "
                            + "evolution runs out of new ones after about 5,000); --no-with-repeats replays --strategy instead (default: ${DEFAULT-VALUE}).")
    boolean withRepeats;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive("--evaluations", evaluations);
        if (options.evalTime == null) {
            options.evalTime =
                    "1ms"; // results one by one, as in a real search (the journal still batches them per 50 ms)
        }
        return run(SearchSetup.from(options));
    }

    private <A> Strategy<A> strategy(SearchSetup<A> setup) {
        return withRepeats ? RandomSearch.withRepeats(setup.space, setup.objective, 0) : setup.strategy(0);
    }

    private Router.Settings router(SearchSetup<?> setup) {
        return withRepeats
                ? new Router.Settings(setup.routerSettings.timeout(), setup.routerSettings.maxAttempts(), 0)
                : setup.routerSettings;
    }

    private <A> int run(SearchSetup<A> setup) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> results = new ArrayList<>();
        for (int every : snapshotEvery) {
            Path dir = Files.createTempDirectory("archipelago-replay");
            try {
                JournalSettings journal = JournalSettings.inRunDirectory(dir, false);
                SearchSettings settings =
                        setup.settings("replay-" + every, evaluations).snapshotEvery(every);
                SearchSpec searchSpec = settings.spec(setup.space.id()).build();
                SearchReport original;
                try (Engine engine = setup.engine(0, journal.config())) {
                    journal.createSchema(engine.system());
                    original = engine.run(
                                    settings,
                                    searchSpec,
                                    setup.space,
                                    strategy(setup),
                                    router(setup),
                                    SearchParent::reportOnly)
                            .toCompletableFuture()
                            .get();
                }
                long events;
                try (JournalReader reader = JournalReader.open(journal)) {
                    events = reader.events(settings.searchId()).size();
                }
                SearchReport replayed;
                long start;
                long end;
                try (Engine engine = setup.engine(
                        0, JournalSettings.inRunDirectory(dir, true).config())) {
                    start = System.nanoTime();
                    replayed = engine.run(
                                    settings,
                                    searchSpec,
                                    setup.space,
                                    strategy(setup),
                                    router(setup),
                                    SearchParent::reportOnly)
                            .toCompletableFuture()
                            .get();
                    end = System.nanoTime();
                }
                if (replayed.evaluations() != original.evaluations()
                        || !java.util.Objects.equals(replayed.bestArchitecture(), original.bestArchitecture())) {
                    throw new IllegalStateException(
                            "the replayed search differs from the original: " + replayed + " vs " + original);
                }
                double seconds = (end - start) / 1e9;
                out.printf(
                        Locale.ROOT,
                        "%d evaluations, %d journal events, snapshot every %s: replayed in %.3f s (the search ran %.1f s)%n",
                        original.evaluations(),
                        events,
                        every == 0 ? "never" : every + " steps",
                        seconds,
                        original.wallSeconds());
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("evaluations", original.evaluations());
                fields.put("events", events);
                fields.put("snapshot_every", every);
                fields.put("replay_seconds", seconds);
                fields.put("search_seconds", original.wallSeconds());
                results.add(fields);
            } finally {
                BenchOutput.deleteTree(dir);
            }
        }
        if (json) {
            BenchOutput.json(
                    out,
                    BenchOutput.ordered(
                            "strategy", withRepeats ? "random-with-repeats" : options.strategy, "runs", results));
        }
        return 0;
    }
}
