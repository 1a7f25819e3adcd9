package io.archipelago.node.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/** Something a succeeding case's output must show: the documented JSON fields, files, columns. */
sealed interface Check {
    ObjectMapper JSON = new ObjectMapper();

    /**
     * @param result the finished process
     * @param resolve turns placeholders in paths into the case's values
     */
    void verify(JarLauncher.Finished result, UnaryOperator<String> resolve);

    /** The last line of stdout is one JSON object with these fields (what README.md says {@code --json} gives). */
    record LastLineJson(List<String> fields) implements Check {
        @Override
        public void verify(JarLauncher.Finished result, UnaryOperator<String> resolve) {
            String last = result.lastStdoutLine();
            JsonNode json = parse(last, "the last line of stdout");
            assertTrue(json.isObject(), "the last line of stdout is not a JSON object: " + last);
            assertFields(json, fields, "the last line of stdout");
        }
    }

    /** The whole of stdout is JSON (pretty-printed, as {@code runs list|show --json} write it) with these fields. */
    record StdoutJson(List<String> fields) implements Check {
        @Override
        public void verify(JarLauncher.Finished result, UnaryOperator<String> resolve) {
            assertFields(parse(result.stdout(), "stdout"), fields, "stdout");
        }
    }

    record StdoutContains(String text) implements Check {
        @Override
        public void verify(JarLauncher.Finished result, UnaryOperator<String> resolve) {
            assertTrue(
                    result.stdout().contains(resolve.apply(text)),
                    "stdout lacks '" + text + "':\n" + result.stdoutTail());
        }
    }

    /** Files a run writes: they exist and are not empty. */
    record NonEmptyFiles(String dir, List<String> names) implements Check {
        @Override
        public void verify(JarLauncher.Finished result, UnaryOperator<String> resolve) {
            Path folder = Path.of(resolve.apply(dir));
            for (String name : names) {
                assertWritten(folder.resolve(name));
            }
        }
    }

    /** One file that must exist and not be empty (e.g. a latency table). */
    record NonEmptyFile(String path) implements Check {
        @Override
        public void verify(JarLauncher.Finished result, UnaryOperator<String> resolve) {
            assertWritten(Path.of(resolve.apply(path)));
        }
    }

    private static void assertWritten(Path file) {
        assertTrue(Files.isRegularFile(file), file + " was not written");
        assertTrue(size(file) > 0, file + " is empty");
    }

    /** A file that must not be there (e.g. the run directory's journal when --journal put it elsewhere). */
    record NoFile(String path) implements Check {
        @Override
        public void verify(JarLauncher.Finished result, UnaryOperator<String> resolve) {
            Path file = Path.of(resolve.apply(path));
            assertFalse(Files.exists(file), file + " should not exist");
        }
    }

    /** A JSON file (summary.json) with these fields. */
    record JsonFile(String path, List<String> fields) implements Check {
        @Override
        public void verify(JarLauncher.Finished result, UnaryOperator<String> resolve) {
            Path file = Path.of(resolve.apply(path));
            assertTrue(Files.isRegularFile(file), file + " was not written");
            assertFields(parse(read(file), file.toString()), fields, file.toString());
        }
    }

    /** A JSON file's field has this exact value (as text), e.g. summary.json's evaluations. */
    record JsonFileValue(String path, String field, String value) implements Check {
        @Override
        public void verify(JarLauncher.Finished result, UnaryOperator<String> resolve) {
            Path file = Path.of(resolve.apply(path));
            JsonNode node = parse(read(file), file.toString()).at(pointer(field));
            assertEquals(value, node.asText(), file + ": " + field);
        }
    }

    /** A CSV file whose header has these columns (evaluations.csv's documented ones). */
    record CsvColumns(String path, List<String> columns) implements Check {
        @Override
        public void verify(JarLauncher.Finished result, UnaryOperator<String> resolve) {
            Path file = Path.of(resolve.apply(path));
            String header = read(file).lines().findFirst().orElse("");
            List<String> present = List.of(header.split(","));
            for (String column : columns) {
                assertTrue(present.contains(column), file + " has no column " + column + ": " + header);
            }
        }
    }

    private static JsonNode parse(String text, String what) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return fail(what + " is not JSON (" + e.getOriginalMessage() + "): " + text);
        }
    }

    private static void assertFields(JsonNode json, List<String> fields, String where) {
        for (String field : fields) {
            JsonNode value = json.at(pointer(field));
            assertFalse(value.isMissingNode() || value.isNull(), where + " has no field " + field + ": " + json);
        }
    }

    /** {@code a.b.0.c} as the JSON pointer {@code /a/b/0/c}. */
    private static String pointer(String dotted) {
        return "/" + dotted.replace('.', '/');
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
