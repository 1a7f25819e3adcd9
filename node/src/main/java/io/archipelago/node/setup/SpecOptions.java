package io.archipelago.node.setup;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of {@code archipelago search} that say what to search (and so go into the
 * journal's spec), as opposed to where its files go or how a cluster is reached. {@link
 * SearchDefinition} is their value, typed; the journal holds it as a {@code SearchConfig}.
 */
public final class SpecOptions {
    @Mixin
    public SearchOptions options = new SearchOptions();

    @Mixin
    public SchedulerOptions scheduler = new SchedulerOptions();

    @Option(names = "--budget", defaultValue = "300", description = "Evaluations to run (default: ${DEFAULT-VALUE}).")
    public int budget;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the strategy (default: ${DEFAULT-VALUE}).")
    public long seed;

    @Option(
            names = "--cluster",
            description = "Run the controller as a cluster node (role controller) and evaluate on the "
                    + "cluster's evaluator nodes instead of --slots local ones.")
    public boolean cluster;

    @Option(
            names = "--min-evaluators",
            defaultValue = "1",
            description =
                    "With --cluster: the search starts once the cluster offers this many evaluator slots; it is also the number "
                            + "of evaluations a model-guided strategy lets run during a refit (default: ${DEFAULT-VALUE}).")
    public int minEvaluators;

    @Option(
            names = "--share",
            defaultValue = "1",
            paramLabel = "W",
            description =
                    "With --cluster: this search's weight in the evaluator slots that the cluster's searches share; "
                            + "while several have candidates waiting, each gets its weight over their weights' sum "
                            + "(default: ${DEFAULT-VALUE}).")
    public int share;

    @Option(
            names = "--snapshot-every",
            defaultValue = "5000",
            paramLabel = "EVENTS",
            description =
                    "Journal a snapshot of the search after at least this many steps, once it has doubled since the last "
                            + "one, so a long search recovers from one record (0: never; default: ${DEFAULT-VALUE}).")
    public int snapshotEvery;

    public SpecOptions() {}

    SpecOptions(SearchDefinition definition) {
        this.options = definition.options();
        this.scheduler = definition.options().scheduler;
        this.budget = definition.budget();
        this.seed = definition.seed();
        this.cluster = definition.cluster();
        this.minEvaluators = definition.minEvaluators();
        this.snapshotEvery = definition.snapshotEvery();
        this.share = definition.share();
    }

    /** These options' values, checked; a cluster search has no local slots: its expected concurrency is the cluster's. */
    public SearchDefinition definition() {
        OptionChecks.positive("--budget", budget);
        OptionChecks.positive("--share", share);
        if (snapshotEvery < 0) {
            throw new IllegalArgumentException("--snapshot-every must be >= 0, got " + snapshotEvery);
        }
        if (cluster) {
            OptionChecks.positive("--min-evaluators", minEvaluators);
            options.slots = minEvaluators;
        }
        options.scheduler = scheduler;
        return new SearchDefinition(options, budget, seed, cluster, minEvaluators, snapshotEvery, share);
    }
}
