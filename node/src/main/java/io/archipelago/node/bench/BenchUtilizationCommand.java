package io.archipelago.node.bench;

import io.archipelago.controller.SearchEvent.SearchReport;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.engine.SearchParent;
import io.archipelago.node.setup.OptionChecks;
import io.archipelago.node.setup.SearchOptions;
import io.archipelago.node.setup.SearchSetup;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench utilization}: the same search with simulated evaluation times, run asynchronously
 * and as synchronous generations of K; the figure is busy slot-time over available slot-time.
 */
@Command(
        name = "utilization",
        mixinStandardHelpOptions = true,
        description = "Slot utilisation of asynchronous vs generational search with simulated evaluation times.")
public final class BenchUtilizationCommand implements Callable<Integer> {
    @Mixin
    SearchOptions options;

    @Option(names = "--budget", defaultValue = "1000", description = "Evaluations per run (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "End with one JSON line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive("--budget", budget);
        if (options.evalTime == null) {
            options.evalTime = "lognormal:50ms,0.5";
        }
        if (!spec.commandLine().getParseResult().hasMatchedOption("--slots")) {
            options.slots = 8;
        }
        return run(SearchSetup.from(options));
    }

    private <A> int run(SearchSetup<A> setup) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SearchReport async;
        SearchReport sync;
        try (Engine engine = setup.engine(seed)) {
            async = engine.run(
                            setup.settings("utilization-async", budget),
                            setup.space,
                            setup.strategy(seed),
                            setup.routerSettings,
                            SearchParent::reportOnly)
                    .toCompletableFuture()
                    .get();
            sync = engine.run(
                            setup.settings("utilization-sync", budget).generational(true),
                            setup.space,
                            setup.strategy(seed),
                            setup.routerSettings,
                            SearchParent::reportOnly)
                    .toCompletableFuture()
                    .get();
        }
        out.printf(
                Locale.ROOT,
                "%s, %d slots, budget %d, evaluation time %s%n",
                options.strategy,
                options.slots,
                budget,
                options.evalTime);
        out.printf(
                Locale.ROOT,
                "  asynchronous:             utilization %.3f, wall %.2f s%n",
                async.utilization(),
                async.dispatchSeconds());
        out.printf(
                Locale.ROOT,
                "  synchronous generations:  utilization %.3f, wall %.2f s%n",
                sync.utilization(),
                sync.dispatchSeconds());
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("strategy", options.strategy);
            fields.put("slots", options.slots);
            fields.put("budget", budget);
            fields.put("eval_time", options.evalTime);
            fields.put("async_utilization", async.utilization());
            fields.put("sync_utilization", sync.utilization());
            fields.put("async_seconds", async.dispatchSeconds());
            fields.put("sync_seconds", sync.dispatchSeconds());
            BenchOutput.json(out, fields);
        }
        return 0;
    }
}
