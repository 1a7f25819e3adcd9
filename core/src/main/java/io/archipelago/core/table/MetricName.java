package io.archipelago.core.table;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A benchmark metric named {@code <dataset>_<split>_<epochs>}, e.g. {@code cifar10_valid_12}.
 * The epochs are the metric's fidelity: a tabular evaluator asked for fidelity 12 answers with
 * the metrics measured after 12 epochs.
 */
public record MetricName(String dataset, String split, int epochs) {
    private static final Pattern FORM = Pattern.compile("^(.+)_([A-Za-z]+)_(\\d+)$");

    /** @return the parts of {@code name}, or empty when it does not follow the scheme */
    public static Optional<MetricName> parse(String name) {
        Matcher m = FORM.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MetricName(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return dataset + "_" + split + "_" + epochs;
    }
}
