package io.archipelago.node.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What makes the runs and evaluations of a {@code bench supernet} directory comparable, kept in its
 * {@value #FILE}: how each seed trains and which held-out images score the cells. The cell sample,
 * truth and benchmark tables are left out on purpose: scores are stored per cell, so another table
 * only evaluates the cells not scored yet. Neither are the seeds: more seeds merge with the earlier.
 *
 * @param epochs null when the run is timed by {@code minutes}
 * @param minutes null when the run goes by {@code epochs}
 * @param evalSeed seed of the held-out images drawn (and of the table's cell sample)
 */
record SupernetBenchSettings(
        String data,
        int channels,
        int cells,
        int batch,
        int trainImages,
        Integer epochs,
        Double minutes,
        boolean augment,
        int evalImages,
        int evalBatch,
        long evalSeed) {
    static final String FILE = "bench.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("channels", channels);
        m.put("cells", cells);
        m.put("batch", batch);
        m.put("train_images", trainImages);
        m.put("epochs", epochs);
        m.put("minutes", minutes);
        m.put("augment", augment);
        m.put("eval_images", evalImages);
        m.put("eval_batch", evalBatch);
        m.put("eval_seed", evalSeed);
        return m;
    }

    /**
     * Writes {@value #FILE} into a new bench directory, or checks an existing one's against these.
     *
     * @throws IllegalArgumentException when {@code dir} holds a bench of other settings
     */
    void claim(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        JsonNode here = JSON.valueToTree(toMap());
        if (Files.isRegularFile(file)) {
            JsonNode there;
            try {
                there = JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("--out " + dir + ": unreadable " + FILE + ": " + e.getMessage(), e);
            }
            for (Iterator<String> names = here.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                // As text: a long read back is an int node, and 0 (int) must equal 0 (long).
                if (!here.get(name).toString().equals(String.valueOf(there.get(name)))) {
                    throw new IllegalArgumentException("--out " + dir + " holds a bench of other settings: " + name
                            + " " + there.get(name) + " there, " + here.get(name) + " here");
                }
            }
            return;
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a directory");
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + FILE + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(here));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
