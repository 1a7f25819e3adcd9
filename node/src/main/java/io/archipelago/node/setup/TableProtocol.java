package io.archipelago.node.setup;

import io.archipelago.core.table.BenchmarkTable;
import java.util.Map;

/**
 * The metrics a space's benchmark tables are searched and reported by, when the user names none:
 * the papers' protocol for each. NAS-Bench-201 searches on the 12-epoch validation accuracy and
 * reports the 200-epoch test accuracy; NAS-Bench-Graph searches on {@code valid_acc} and reports
 * {@code test_acc}.
 *
 * @param searchMetric what a tabular search optimises by default
 * @param reportMetric what benchmarks report of the picked architecture by default
 * @param defaultTable the embedded table used without {@code --benchmark}, or null when the space
 *     has several and the user must choose
 */
public record TableProtocol(String searchMetric, String reportMetric, String defaultTable) {
    private static final TableProtocol NB201 =
            new TableProtocol("cifar10_valid_12", "cifar10_test_200", "nb201:cifar10");
    private static final Map<String, TableProtocol> BY_SPACE = Map.of(
            "nb201", NB201,
            "nb201-mixed", NB201,
            "nbgraph", new TableProtocol("valid_acc", "test_acc", null));

    /** The protocol of a space's tables; a space without tables of its own gets NAS-Bench-201's names. */
    public static TableProtocol of(String spaceId) {
        return BY_SPACE.getOrDefault(spaceId, NB201);
    }

    /** Whether the space has benchmark tables of its own (embedded, or in its published format). */
    public static boolean hasTables(String spaceId) {
        return BY_SPACE.containsKey(spaceId);
    }

    /** The embedded tables of a space, e.g. {@code nbgraph:cora, nbgraph:citeseer, nbgraph:pubmed}. */
    public static String embeddedTablesOf(String spaceId) {
        return String.join(
                ", ",
                BenchmarkTable.embeddedNames().stream()
                        .filter(n -> n.startsWith(spaceId + ":"))
                        .toList());
    }
}
