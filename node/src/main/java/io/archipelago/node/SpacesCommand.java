package io.archipelago.node;

import io.archipelago.core.space.CostModel;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.SearchSpaces;
import io.archipelago.core.space.TokenEncoding;
import io.archipelago.models.space.SpaceNetworks;
import io.archipelago.models.space.SpaceNetworksRegistry;
import io.archipelago.node.bench.BenchOutput;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago spaces}: the search spaces on the class path (plugins found with {@link
 * java.util.ServiceLoader}), each with its encoding, its size, an example, and what the engine
 * can do with it beyond searching (networks for TEG and measured latency, analytic costs, token
 * sequences for NAO and REINFORCE).
 */
@Command(
        name = "spaces",
        mixinStandardHelpOptions = true,
        description = "List the search spaces (plugins), with their encodings, sizes, an example architecture each, "
                + "and whether Archipelago builds their networks (TEG, measured latency) and computes their costs.")
public final class SpacesCommand implements Callable<Integer> {
    @Option(names = "--json", description = "End with one JSON line: the spaces with their fields.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SearchSpace<?> space : SearchSpaces.all().values()) {
            Map<String, Object> row = describe(space);
            rows.add(row);
            out.printf(
                    Locale.ROOT,
                    "%s  (%s architectures; networks: %s; costs: %s; tokens: %s)%n  encoding: %s%n  example:  %s%n",
                    space.id(),
                    row.get("size"),
                    row.get("networks") == null ? "no" : row.get("networks"),
                    row.get("costs") == null ? "no" : String.join(", ", castList(row.get("costs"))),
                    Boolean.TRUE.equals(row.get("tokens")) ? "yes" : "no",
                    space.encoding(),
                    row.get("example"));
        }
        if (json) {
            BenchOutput.json(out, BenchOutput.ordered("spaces", rows));
        }
        out.flush();
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }

    private static <A> Map<String, Object> describe(SearchSpace<A> space) {
        A example = space.sample(new SplittableRandom(0));
        Optional<SpaceNetworks<?>> networks = SpaceNetworksRegistry.find(space.id());
        return BenchOutput.ordered(
                "id", space.id(),
                "size", space.size(),
                "encoding", space.encoding(),
                "example", space.format(example),
                "networks", networks.map(SpaceNetworks::shapeMeaning).orElse(null),
                "costs", space instanceof CostModel<?> ? List.of(CostModel.PARAMS, CostModel.FLOPS) : null,
                "tokens", space instanceof TokenEncoding<?>);
    }
}
