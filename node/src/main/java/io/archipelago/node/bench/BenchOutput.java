package io.archipelago.node.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Map;

/** Benchmark output: readable lines, and with {@code --json} one JSON object as the last line of stdout. */
final class BenchOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchOutput() {}

    static void json(PrintWriter out, Map<String, Object> fields) {
        try {
            out.println(JSON.writeValueAsString(fields));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** Sample standard deviation (n - 1); 0 for a single value. */
    static double std(double[] values) {
        if (values.length < 2) {
            return 0;
        }
        double mean = mean(values);
        double sum = 0;
        for (double v : values) {
            sum += (v - mean) * (v - mean);
        }
        return Math.sqrt(sum / (values.length - 1));
    }
}
