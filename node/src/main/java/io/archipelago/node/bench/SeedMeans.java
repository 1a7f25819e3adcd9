package io.archipelago.node.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The mean over seeds of per-seed reports of one shape (JSON-like maps and lists): each number is
 * the mean of the seeds' numbers at the same place (nulls left out; null if all are), any value
 * the seeds agree on is kept as it is, and another value is null where they do not agree. So the mean has the very keys of
 * each seed's report.
 */
final class SeedMeans {
    private SeedMeans() {}

    static Object mean(List<?> values) {
        Object first = values.get(0);
        if (first instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Object key : map.keySet()) {
                m.put(
                        key.toString(),
                        mean(values.stream()
                                .map(v -> v instanceof Map<?, ?> o ? o.get(key) : null)
                                .toList()));
            }
            return m;
        }
        if (first instanceof List<?> list) {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                int at = i;
                l.add(mean(values.stream()
                        .map(v -> v instanceof List<?> o && at < o.size() ? o.get(at) : null)
                        .toList()));
            }
            return l;
        }
        if (values.stream().allMatch(v -> Objects.equals(v, first))) {
            return first; // so a count or step all seeds share stays an integer
        }
        if (values.stream().anyMatch(v -> v instanceof Number)) {
            double sum = 0;
            int n = 0;
            for (Object v : values) {
                if (v instanceof Number x) {
                    sum += x.doubleValue();
                    n++;
                }
            }
            return sum / n;
        }
        return null;
    }
}
