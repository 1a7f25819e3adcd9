package io.archipelago.node.contract;

import io.archipelago.node.ChildJvmPorts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The folder every case runs in, the files cases need that no case makes (a benchmark CSV, a
 * cluster config, TLS key stores), and the placeholders of case arguments:
 *
 * <ul>
 *   <li>{@code {work}}: this folder; {@code {benchmark}}: a copy of the embedded NAS-Bench-201 table;
 *       {@code {cluster-config}}: a HOCON file for {@code --cluster-config}; {@code {latency-table}}:
 *       where the {@code latency build-table} case writes its table for later cases;
 *   <li>{@code {runners}}: the repository's runners/ folder; {@code {postgres}}: ARCHIPELAGO_TEST_POSTGRES_URL;
 *       {@code {run-id}}: unique per test run (search ids in a shared PostgreSQL journal must not collide);
 *   <li>{@code {tls-key-store}}, {@code {tls-trust-store}}, {@code {tls-password}}: stores made with keytool;
 *   <li>{@code {tiny-fashion-mnist}}: the models module's 64-image Fashion-MNIST test copy (t10k files only);
 *       {@code {corrupt-checkpoint}}: a folder whose checkpoint.spos is not a checkpoint;
 *       {@code {tiny-truth}}: the benchmark's first 6 rows, a truth table small enough for {@code bench supernet};
 *   <li>{@code {ports}}: the first of 8 consecutive free loopback ports, fresh for each case;
 *   <li>values a scenario adds (e.g. {@code {node-port}}).
 * </ul>
 */
final class Workspace {
    static final String POSTGRES_URL = System.getenv("ARCHIPELAGO_TEST_POSTGRES_URL");
    private static final String EMBEDDED_TABLE = "/io/archipelago/core/table/nb201-cifar10.csv";
    private static final String TLS_PASSWORD = "archipelago-test";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z-]+)}");

    final Path root;
    final Path repository;
    private final Map<String, String> values = new HashMap<>();

    Workspace(Path root, Path repository) throws IOException, InterruptedException {
        this.root = root;
        this.repository = repository;
        values.put("work", root.toString());
        values.put("benchmark", copyEmbeddedTable().toString());
        values.put("cluster-config", writeClusterConfig().toString());
        values.put("latency-table", root.resolve("d1-latency-table.json").toString());
        values.put("runners", repository.resolve("runners").toString());
        values.put("run-id", UUID.randomUUID().toString().substring(0, 8));
        if (POSTGRES_URL != null) {
            values.put("postgres", POSTGRES_URL);
        }
        values.put(
                "tiny-fashion-mnist",
                repository.resolve("models/src/test/resources/fashion-mnist").toString());
        values.put("corrupt-checkpoint", writeCorruptCheckpoint().toString());
        values.put(
                "tiny-truth", writeTinyTruth(Path.of(values.get("benchmark"))).toString());
        makeTlsStores();
        values.put(
                "worker-token",
                Files.writeString(root.resolve("worker-token"), "contract-token\n")
                        .toString());
        values.put("score-runner", writeScoreRunner().toString());
    }

    /** A runner protocol 2 program: a learning curve of two steps and a score from the request's checksum. */
    private Path writeScoreRunner() throws IOException {
        Path runner = Files.writeString(root.resolve("score-runner.sh"), """
                #!/bin/sh
                read -r request
                n=$(printf '%s' "$request" | cksum | cut -d' ' -f1)
                echo "{\\"step\\": 1, \\"metrics\\": {\\"score\\": 1}}"
                echo "{\\"step\\": 2, \\"metrics\\": {\\"score\\": 2}}"
                echo "{\\"metrics\\": {\\"score\\": $((n % 100)), \\"params\\": 7}}"
                """);
        runner.toFile().setExecutable(true);
        return runner;
    }

    /** A run folder for {@code supernet train --resume} whose checkpoint.spos is garbage. */
    private Path writeCorruptCheckpoint() throws IOException {
        Path dir = Files.createDirectories(root.resolve("corrupt-supernet"));
        Files.writeString(dir.resolve("checkpoint.spos"), "not a checkpoint");
        return dir;
    }

    /** The header and first 5 cells of the benchmark: {@code bench supernet --truth} scores every cell of its table. */
    private Path writeTinyTruth(Path benchmark) throws IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(benchmark)) {
            return Files.write(root.resolve("tiny-truth.csv"), lines.limit(6).toList());
        }
    }

    /** The environment that points tls-tcp (cluster-conf/tls-tcp.conf) at the test's key stores. */
    static Map<String, String> tlsEnvironment() {
        return Map.of(
                "ARCHIPELAGO_TLS_KEY_STORE",
                "{tls-key-store}",
                "ARCHIPELAGO_TLS_TRUST_STORE",
                "{tls-trust-store}",
                "ARCHIPELAGO_TLS_PASSWORD",
                "{tls-password}");
    }

    /**
     * Replaces the placeholders of one case (or one scenario's cases, with {@code scenario}'s values).
     * An unknown placeholder fails: it is a typo in the table, not an argument.
     */
    UnaryOperator<String> resolver(Map<String, String> scenario) {
        Map<String, String> known = new HashMap<>(values);
        known.putAll(scenario);
        return text -> {
            Matcher matcher = PLACEHOLDER.matcher(text);
            StringBuilder resolved = new StringBuilder();
            while (matcher.find()) {
                String name = matcher.group(1);
                String value = name.equals("ports")
                        ? known.computeIfAbsent("ports", p -> String.valueOf(ChildJvmPorts.freePorts(8)))
                        : known.get(name);
                if (value == null) {
                    throw new IllegalStateException("unknown placeholder {" + name + "} in '" + text + "'"
                            + (name.equals("postgres") ? " (ARCHIPELAGO_TEST_POSTGRES_URL is not set)" : ""));
                }
                matcher.appendReplacement(resolved, Matcher.quoteReplacement(value));
            }
            matcher.appendTail(resolved);
            return resolved.toString();
        };
    }

    /** A benchmark CSV for {@code --benchmark FILE}: the embedded table, so results match the default's. */
    private Path copyEmbeddedTable() throws IOException {
        Path copy = root.resolve("benchmark.csv");
        try (InputStream in = Workspace.class.getResourceAsStream(EMBEDDED_TABLE)) {
            if (in == null) {
                throw new IllegalStateException(EMBEDDED_TABLE + " is not on the test class path");
            }
            Files.copy(in, copy);
        }
        return copy;
    }

    private Path writeClusterConfig() throws IOException {
        return Files.writeString(root.resolve("cluster-overrides.conf"), """
                # --cluster-config of the contract test: a node drains for at most 20 s, and Pekko logs warnings only.
                archipelago.node.drain-timeout = 20 s
                pekko.loglevel = "WARNING"
                """);
    }

    /** A key pair trusted by itself, as ClusterTransportTest makes it: tls-tcp with mutual authentication on loopback. */
    private void makeTlsStores() throws IOException, InterruptedException {
        Path keyStore = root.resolve("tls-node.p12");
        Path trustStore = root.resolve("tls-trust.p12");
        Path cert = root.resolve("tls-node.crt");
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        keytool(
                keytool,
                "-genkeypair",
                "-alias",
                "node",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=archipelago",
                "-validity",
                "2",
                "-keystore",
                keyStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                TLS_PASSWORD,
                "-keypass",
                TLS_PASSWORD);
        keytool(
                keytool,
                "-exportcert",
                "-alias",
                "node",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                TLS_PASSWORD,
                "-file",
                cert.toString());
        keytool(
                keytool,
                "-importcert",
                "-noprompt",
                "-alias",
                "node",
                "-file",
                cert.toString(),
                "-keystore",
                trustStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                TLS_PASSWORD);
        values.put("tls-key-store", keyStore.toString());
        values.put("tls-trust-store", trustStore.toString());
        values.put("tls-password", TLS_PASSWORD);
    }

    private static void keytool(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + output);
        }
    }
}
