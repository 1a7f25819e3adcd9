package io.archipelago.node.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files under {@code deploy/} and what the tests read out of them: the entry point script's
 * table of variables and its constants, the Dockerfile's instructions; and a way to run the
 * script with a stand-in {@code java} that prints the command line it was given.
 */
final class DeployFiles {
    final Path root;
    final Path entrypoint;
    final Path dockerfile;
    final Path kubernetes;

    private DeployFiles(Path root) {
        this.root = root;
        this.entrypoint = root.resolve("deploy/docker/entrypoint.sh");
        this.dockerfile = root.resolve("deploy/docker/Dockerfile");
        this.kubernetes = root.resolve("deploy/kubernetes");
    }

    /** The repository's root: surefire runs in node/, failsafe too. */
    static DeployFiles find() {
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/docker/entrypoint.sh"))) {
                return new DeployFiles(dir);
            }
        }
        throw new IllegalStateException("no deploy/docker/entrypoint.sh above " + here);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String script() {
        return read(entrypoint);
    }

    private static final Pattern TABLE_ROW = Pattern.compile("^#   ([A-Z][A-Z0-9_]*)\\s+(.*)$");

    /** The variables the script's header table names, with their descriptions, in order. */
    Map<String, String> variables() {
        Map<String, String> variables = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : script().lines().toList()) {
            if (line.startsWith("#   variable ")) {
                inTable = true;
                continue;
            }
            if (!inTable) {
                continue;
            }
            Matcher row = TABLE_ROW.matcher(line);
            if (!row.matches()) {
                break;
            }
            variables.put(row.group(1), row.group(2));
        }
        return variables;
    }

    /** The variables marked "(required)" in the table. */
    Set<String> requiredVariables() {
        Set<String> required = new LinkedHashSet<>();
        variables().forEach((name, text) -> {
            if (text.contains("(required)")) {
                required.add(name);
            }
        });
        return required;
    }

    /** The variables the script's code (not its comments) refers to. */
    Set<String> variablesReadByScript() {
        Set<String> read = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)").matcher(code(script()));
        while (m.find()) {
            read.add(m.group(1));
        }
        // The loop over names that must not be blank names them without a $.
        Matcher loop = Pattern.compile("\\b(ARCHIPELAGO_[A-Z0-9_]+)\\b").matcher(code(script()));
        while (loop.find()) {
            read.add(loop.group(1));
        }
        return read;
    }

    private static String code(String script) {
        StringBuilder code = new StringBuilder();
        for (String line : script.lines().toList()) {
            if (!line.stripLeading().startsWith("#")) {
                code.append(line).append('\n');
            }
        }
        return code.toString();
    }

    /** A {@code NAME=value} or {@code NAME="value"} constant of the script. */
    String constant(String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "=\"?([^\"\\n]*)\"?$").matcher(script());
        if (!m.find()) {
            throw new IllegalStateException("entrypoint.sh sets no " + name);
        }
        return m.group(1);
    }

    List<String> constantWords(String name) {
        return List.of(constant(name).trim().split("\\s+"));
    }

    /** The arguments of every Dockerfile instruction {@code keyword}, in order. */
    List<String> dockerfile(String keyword) {
        List<String> found = new ArrayList<>();
        String joined = read(dockerfile).replaceAll("\\\\\\n", " ");
        for (String line : joined.lines().toList()) {
            String trimmed = line.strip();
            if (trimmed.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1)) {
                found.add(trimmed.substring(keyword.length() + 1).strip());
            }
        }
        return found;
    }

    /** What running the script gave: its exit code, stdout and stderr. */
    record Run(int exit, String stdout, String stderr) {
        List<String> stdoutLines() {
            return stdout.lines().toList();
        }

        List<String> stderrLines() {
            return stderr.lines().filter(line -> !line.isBlank()).toList();
        }
    }

    /**
     * Runs the script with exactly {@code env} (plus PATH) and {@code args}, a stand-in {@code java}
     * first on the PATH: it prints each argument it gets on a line, then {@code OMP_WAIT_POLICY=...}.
     */
    Run runWithFakeJava(Path dir, Map<String, String> env, List<String> args) {
        try {
            Path bin = Files.createDirectories(dir.resolve("fake-bin"));
            Path java = bin.resolve("java");
            if (!Files.exists(java)) {
                Files.writeString(
                        java,
                        "#!/bin/sh\nfor a do printf '%s\\n' \"$a\"; done\n"
                                + "printf 'OMP_WAIT_POLICY=%s\\n' \"${OMP_WAIT_POLICY-}\"\n");
                Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            return run("/bin/sh", dir, bin + ":/usr/bin:/bin", env, args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the script with {@code shell}, exactly {@code env} and the PATH {@code path}. */
    Run run(String shell, Path dir, String path, Map<String, String> env, List<String> args) {
        try {
            List<String> command = new ArrayList<>(List.of(shell, entrypoint.toString()));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
            builder.environment().clear();
            builder.environment().put("PATH", path);
            builder.environment().putAll(env);
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process process = builder.start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("entrypoint.sh did not end within 30 s");
            }
            return new Run(process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
