package io.archipelago.node.dashboard;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.archipelago.core.objective.Objective;
import io.archipelago.node.bench.BenchOutput;
import io.archipelago.node.run.ParetoFront;
import io.archipelago.node.run.RunRecorder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A run's evaluations as its evaluations.csv has them (the bytes, up to the last whole row, and
 * the rows, typed), and what the pages draw from them: the best-so-far history, the best cell and,
 * for several objectives, every successful cell's objective values with whether it is feasible
 * and on the front ({@link ParetoFront}, as summary.json's front).
 */
final class RunTable {
    static final RunTable EMPTY = new RunTable(new byte[0], List.of(), List.of(), null);

    private static final Set<String> TEXT_COLUMNS = Set.of("arch", "status", "evaluator", "failure_reason");
    private static final Pattern INTEGER = Pattern.compile("-?\\d{1,18}");

    final byte[] csv;
    final List<String> columns;
    final List<Map<String, Object>> rows;
    /** One point per successful evaluation: {evaluation, value, best}, as history.png plots them. */
    final List<Map<String, Object>> history;
    /** The best row by the search's fitness (null: none succeeded). */
    final Map<String, Object> best;
    /** Objectives and points (null: a single-objective search). */
    final Map<String, Object> pareto;

    private RunTable(byte[] csv, List<String> columns, List<Map<String, Object>> rows, RunModel model) {
        this.csv = csv;
        this.columns = columns;
        this.rows = rows;
        List<Map<String, Object>> history = new ArrayList<>();
        Map<String, Object> best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        double bestValue = Double.NaN;
        ParetoFront front = model != null && model.multiObjective()
                ? new ParetoFront(model.objectives(), model.constraints())
                : null;
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> row = rows.get(i);
            if (!"ok".equals(row.get("status")) || model == null) {
                continue;
            }
            Map<String, Double> metrics = metrics(row);
            double score = model.fitness().score(metrics);
            double value = model.objective().value(metrics);
            if (score > bestScore) {
                bestScore = score;
                bestValue = value;
                best = row;
            }
            if (!Double.isNaN(bestValue)) {
                history.add(point(i + 1, value, bestValue));
            }
            if (front != null) {
                Object id = row.get("candidate_id");
                front.add(id instanceof Number n ? n.longValue() : i, String.valueOf(row.get("arch")), metrics);
            }
        }
        this.history = List.copyOf(history);
        this.best = best;
        this.pareto = front == null ? null : pareto(front);
    }

    /**
     * The table of {@code csv}'s whole rows (a row being appended is left for the next read).
     *
     * @throws IOException when the bytes up to the last line end are not CSV (a quoted field cut
     *     short: the next read sees it whole)
     */
    static RunTable parse(byte[] csv, RunModel model) throws IOException {
        int end = csv.length;
        while (end > 0 && csv[end - 1] != '\n') {
            end--;
        }
        byte[] whole = end == csv.length ? csv : Arrays.copyOf(csv, end);
        if (whole.length == 0) {
            return new RunTable(whole, List.of(), List.of(), model);
        }
        List<String> columns = null;
        List<Map<String, Object>> rows = new ArrayList<>();
        try (MappingIterator<String[]> it = new CsvMapper()
                .enable(CsvParser.Feature.WRAP_AS_ARRAY)
                .readerFor(String[].class)
                .readValues(whole)) {
            while (it.hasNextValue()) {
                String[] values = it.nextValue();
                if (columns == null) {
                    columns = List.of(values);
                    continue;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (int c = 0; c < columns.size(); c++) {
                    row.put(columns.get(c), c < values.length ? typed(columns.get(c), values[c]) : null);
                }
                rows.add(row);
            }
        } catch (RuntimeException e) {
            throw new IOException("evaluations.csv is not CSV (yet): " + e.getMessage(), e);
        }
        return new RunTable(whole, columns == null ? List.of() : columns, List.copyOf(rows), model);
    }

    /** A cell of the CSV as JSON shows it: numbers as numbers, empty as null, NaN and infinities as text. */
    static Object typed(String column, String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (TEXT_COLUMNS.contains(column)) {
            return text;
        }
        if (INTEGER.matcher(text).matches()) {
            return Long.parseLong(text);
        }
        try {
            double value = Double.parseDouble(text);
            return Double.isFinite(value) ? (Object) value : text;
        } catch (NumberFormatException notANumber) {
            return text;
        }
    }

    /** The row's metric columns (those after evaluations.csv's fixed ones) that hold numbers. */
    static Map<String, Double> metrics(Map<String, Object> row) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        row.forEach((column, value) -> {
            if (!RunRecorder.FIXED_COLUMNS.contains(column) && value instanceof Number n) {
                metrics.put(column, n.doubleValue());
            }
        });
        return metrics;
    }

    private static Map<String, Object> point(int evaluation, double value, double best) {
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("evaluation", evaluation);
        point.put("value", Double.isFinite(value) ? value : null);
        point.put("best", Double.isFinite(best) ? best : null);
        return point;
    }

    private static Map<String, Object> pareto(ParetoFront front) {
        List<Map<String, Object>> objectives = new ArrayList<>();
        for (Objective o : front.objectives()) {
            objectives.add(BenchOutput.ordered("metric", o.metric(), "maximize", o.maximize()));
        }
        Set<Long> onFront = new java.util.HashSet<>();
        front.front().forEach(p -> onFront.add(p.candidateId()));
        List<Map<String, Object>> points = new ArrayList<>();
        for (ParetoFront.Point p : front.points()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("candidate_id", p.candidateId());
            point.put("arch", p.arch());
            point.put("values", p.values());
            point.put("feasible", p.feasible());
            point.put("front", p.feasible() && onFront.contains(p.candidateId()));
            points.add(point);
        }
        Map<String, Object> pareto = new LinkedHashMap<>();
        pareto.put("objectives", objectives);
        pareto.put("points", points);
        pareto.put("front_size", onFront.size());
        pareto.put("hypervolume", front.hypervolume());
        return pareto;
    }
}
