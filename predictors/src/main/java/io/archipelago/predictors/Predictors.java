package io.archipelago.predictors;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.core.space.TokenEncoding;
import io.archipelago.predictors.gcn.GcnPredictor;
import io.archipelago.predictors.nac.NacComparator;
import io.archipelago.predictors.nao.NaoPredictor;
import java.util.List;

/** Builds predictors by name, for the command line and the strategies. */
public final class Predictors {
    public static final List<String> NAMES = List.of("gcn", "nac", "nao");

    private Predictors() {}

    /** @throws IllegalArgumentException for an unknown name (listing the known ones) or a space it cannot read */
    public static <A> Predictor<A> create(String name, SearchSpace<A> space) {
        return switch (String.valueOf(name)) {
            case "gcn" -> new GcnPredictor<>(space::graph);
            case "nac" -> new NacComparator<>(space::graph);
            case "nao" -> {
                if (!(space instanceof TokenEncoding<?>)) {
                    throw new IllegalArgumentException("nao reads token sequences; space " + space.id() + " has none");
                }
                @SuppressWarnings("unchecked")
                TokenEncoding<A> tokens = (TokenEncoding<A>) space;
                yield new NaoPredictor<>(tokens);
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown predictor '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        };
    }

    /** A predictor of NAS-Bench-201 cells. */
    public static Predictor<Nb201Cell> create(String name) {
        return create(name, Nb201Space.INSTANCE);
    }

    /** Whether the predictor's models compare pairs themselves (rather than by their scores). */
    public static boolean isPairwise(String name) {
        return "nac".equals(name);
    }
}
