package io.archipelago.node.bench;

import io.archipelago.core.nb201.Nb201Cell;
import io.archipelago.core.nb201.Nb201Space;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The finished standalone truth table in the {@code --benchmark} format: {@code index}, {@code arch}
 * (NB201 string), {@code valid_accuracy} and {@code test_accuracy} (percent, mean over the seeds),
 * {@code params}, then {@code valid_accuracy_seed<s>} and {@code test_accuracy_seed<s>} per seed;
 * one row per cell in drawing order.
 */
final class StandaloneTable {
    private StandaloneTable() {}

    static String csv(List<Nb201Cell> cells, int seeds, Map<Long, StandaloneProgress.Row> rows) {
        StringBuilder out = new StringBuilder("index,arch,valid_accuracy,test_accuracy,params");
        for (int s = 0; s < seeds; s++) {
            out.append(",valid_accuracy_seed")
                    .append(s)
                    .append(",test_accuracy_seed")
                    .append(s);
        }
        out.append('\n');
        for (int c = 0; c < cells.size(); c++) {
            double valid = 0;
            double test = 0;
            StringBuilder perSeed = new StringBuilder();
            long params = 0;
            for (int s = 0; s < seeds; s++) {
                StandaloneProgress.Row r = rows.get(BenchStandaloneCommand.key(c, s));
                valid += r.valid() / seeds;
                test += r.test() / seeds;
                params = r.params();
                perSeed.append(',').append(percent(r.valid())).append(',').append(percent(r.test()));
            }
            out.append(c)
                    .append(',')
                    .append(Nb201Space.INSTANCE.format(cells.get(c)))
                    .append(',')
                    .append(percent(valid))
                    .append(',')
                    .append(percent(test))
                    .append(',')
                    .append(params)
                    .append(perSeed)
                    .append('\n');
        }
        return out.toString();
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
