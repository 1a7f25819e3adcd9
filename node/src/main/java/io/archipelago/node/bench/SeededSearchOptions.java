package io.archipelago.node.bench;

import io.archipelago.node.setup.OptionChecks;
import picocli.CommandLine.Option;

/** What benchmarks that repeat a search over seeds share: the budget of each search and the number of seeds. */
public final class SeededSearchOptions {
    @Option(
            names = "--budget",
            defaultValue = "300",
            description = "Evaluations per search (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--seeds", defaultValue = "20", description = "Number of seeds, 1..K (default: ${DEFAULT-VALUE}).")
    int seeds;

    /** @throws IllegalArgumentException naming the bad option */
    void check() {
        OptionChecks.positive("--budget", budget);
        OptionChecks.positive("--seeds", seeds);
    }
}
