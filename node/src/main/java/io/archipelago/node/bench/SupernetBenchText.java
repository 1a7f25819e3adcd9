package io.archipelago.node.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The readable summary of {@code bench supernet}: the means over seeds, as its JSON holds them. */
final class SupernetBenchText {
    private SupernetBenchText() {}

    @SuppressWarnings("unchecked")
    static void print(PrintWriter out, Map<String, Object> result) {
        out.printf(
                Locale.ROOT,
                "%nbench supernet: mean of %s seeds, cells scored on %s held-out images%n",
                result.get("seeds"),
                result.get("eval_images"));
        for (String part : List.of("truth", "table")) {
            Map<String, Object> p = (Map<String, Object>) result.get(part);
            if (p == null) {
                out.println("  vs truth: none (give --truth FILE; the shipped one is for fashion-mnist C=8 N=1)");
                continue;
            }
            out.printf(
                    Locale.ROOT,
                    "  %-40s %9s %9s%n",
                    String.format(Locale.ROOT, "vs %s (%s, %s cells)", part, p.get("metric"), num(p.get("cells"), 0)),
                    "kendall",
                    "spearman");
            for (String measure : List.of(RankedCells.ACCURACY, RankedCells.PARAMS)) {
                out.printf(
                        Locale.ROOT,
                        "    %-38s %9s %9s%n",
                        measure.equals(RankedCells.PARAMS) ? "params (baseline)" : "supernet accuracy",
                        num(((Map<String, Object>) p.get("kendall")).get(measure), 4),
                        num(((Map<String, Object>) p.get("spearman")).get(measure), 4));
            }
        }
        out.printf(Locale.ROOT, "  kendall of supernet accuracy through the run:%n");
        out.printf(Locale.ROOT, "    %8s %8s %9s %9s%n", "fraction", "step", "vs truth", "vs table");
        for (Object o : (List<Object>) result.get("curve")) {
            Map<String, Object> point = (Map<String, Object>) o;
            out.printf(
                    Locale.ROOT,
                    "    %8s %8s %9s %9s%n",
                    num(point.get("fraction"), 2),
                    num(point.get("step"), 0),
                    num(point.get("truth_kendall"), 4),
                    num(point.get("table_kendall"), 4));
        }
        Map<String, Object> picked = (Map<String, Object>) result.get("picked");
        out.printf(
                Locale.ROOT,
                "  picked by the supernet: %s %s (the sample's mean %s, best %s)%n",
                picked.get("metric"),
                num(picked.get("value"), 3),
                num(picked.get("sample_mean"), 3),
                num(picked.get("sample_best"), 3));
        out.printf(
                Locale.ROOT,
                "  training %s images/s, %s s per scored cell%n",
                num(result.get("train_images_per_second"), 1),
                num(result.get("seconds_per_cell"), 4));
        out.flush();
    }

    private static String num(Object v, int decimals) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%." + decimals + "f", n.doubleValue()) : "-";
    }
}
