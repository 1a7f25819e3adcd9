package io.archipelago.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.node.ChildJvmPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entry point with the real jar (failsafe, after package: the shaded jar that
 * {@code -Darchipelago.jar} names, node/target/archipelago.jar by default): a seed node and an
 * evaluator node started through deploy/docker/entrypoint.sh from ARCHIPELAGO_* variables form a
 * loopback cluster over TCP (with {@code node --management}: the evaluator's /ready and /alive
 * answer 200); SIGTERM to the script's process (java, which the script exec'd) drains the
 * evaluator, which leaves and exits 143.
 */
class EntrypointScriptIT {
    private static final DeployFiles DEPLOY = DeployFiles.find();
    /** Small JVMs for a 2-core CI machine. */
    private static final String LIGHT_JVM = "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    @TempDir
    Path work;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("archipelago.jar", "target/archipelago.jar"))
                .toAbsolutePath();
        assertTrue(
                Files.isRegularFile(jar),
                "no jar at " + jar + ": build it (mvn package) or name one with " + "-Darchipelago.jar=PATH");
        return jar;
    }

    /** This JVM's java first on the PATH: the script runs `java`. */
    private static String path() {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("/usr/bin/java"));
        return java.getParent() + ":/usr/bin:/bin";
    }

    private Process start(String name, Map<String, String> variables) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", DEPLOY.entrypoint.toString()).directory(work.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", path());
        builder.environment().put("HOME", work.toString());
        builder.environment().put("ARCHIPELAGO_JAR", jar().toString());
        builder.environment().put("JAVA_OPTS", LIGHT_JVM);
        builder.environment().putAll(variables);
        builder.redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private String log(String name) throws IOException {
        Path log = work.resolve(name + ".log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what);
            }
            Thread.sleep(200);
        }
    }

    private boolean logged(String name, String text) {
        try {
            return log(name).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** The HTTP status of a GET, or -1 when nothing answers. */
    private static int status(String url) {
        try {
            return java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    @Timeout(150)
    void aNodeStartedByTheEntryPointJoinsAndDrainsOnSigterm() throws Exception {
        int base = ChildJvmPorts.freePorts(3);
        String seedAddress = "127.0.0.1:" + base;
        Map<String, String> common = new LinkedHashMap<>();
        common.put("ARCHIPELAGO_TRANSPORT", "tcp");
        common.put("POD_IP", "127.0.0.1");

        Map<String, String> seedEnv = new LinkedHashMap<>(common);
        seedEnv.put("ARCHIPELAGO_ROLES", "none");
        seedEnv.put("ARCHIPELAGO_PORT", String.valueOf(base));
        Process seed = start("seed", seedEnv);

        Map<String, String> evaluatorEnv = new LinkedHashMap<>(common);
        evaluatorEnv.put("ARCHIPELAGO_ROLES", "evaluator");
        evaluatorEnv.put("ARCHIPELAGO_EVALUATOR", "tabular");
        evaluatorEnv.put("ARCHIPELAGO_SLOTS", "1");
        evaluatorEnv.put("ARCHIPELAGO_EVAL_TIME", "10ms");
        evaluatorEnv.put("ARCHIPELAGO_PORT", String.valueOf(base + 1));
        evaluatorEnv.put("ARCHIPELAGO_SEED_NODES", seedAddress);
        // With Pekko Management (node --management), the probes' endpoints too, on the pod's (here loopback) address.
        boolean management = ManifestChecks.nodeSpec().findOption("--management") != null;
        if (management) {
            evaluatorEnv.put("ARCHIPELAGO_MANAGEMENT", String.valueOf(base + 2));
        }
        Process evaluator = start("evaluator", evaluatorEnv);

        // The script exec'd java: the process Kubernetes signals is the JVM itself.
        await(
                () -> evaluator.info().command().map(c -> c.endsWith("/java")).orElse(false),
                Duration.ofSeconds(10),
                "the entry point did not exec java: " + evaluator.info());
        String address = "pekko://archipelago@127.0.0.1:" + (base + 1);
        await(
                () -> logged("evaluator", "node " + address + " is up"),
                Duration.ofSeconds(90),
                "the evaluator did not join");
        assertTrue(seed.isAlive(), "the seed died");
        if (management) {
            String probes = "http://127.0.0.1:" + (base + 2);
            await(
                    () -> status(probes + ManifestChecks.READINESS_PATH) == 200,
                    Duration.ofSeconds(30),
                    "/ready is not 200");
            assertEquals(200, status(probes + ManifestChecks.LIVENESS_PATH));
        }

        // As a user checks it: cluster status through the seed shows both nodes Up.
        Process status = new ProcessBuilder(
                        Path.of(ProcessHandle.current().info().command().orElse("java"))
                                .toString(),
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar().toString(),
                        "cluster",
                        "status",
                        "--transport",
                        "tcp",
                        "--seed-nodes",
                        seedAddress,
                        "--json")
                .directory(work.toFile())
                .redirectErrorStream(false)
                .redirectError(work.resolve("status.err").toFile())
                .redirectOutput(work.resolve("status.out").toFile())
                .start();
        started.add(status);
        assertTrue(status.waitFor(60, TimeUnit.SECONDS), "cluster status did not end");
        String out = Files.readString(work.resolve("status.out"));
        assertEquals(0, status.exitValue(), out + Files.readString(work.resolve("status.err")));
        List<String> lines = out.strip().lines().toList();
        JsonNode members =
                new ObjectMapper().readTree(lines.get(lines.size() - 1)).path("members");
        assertEquals(2, members.size(), out);
        for (JsonNode member : members) {
            assertEquals("Up", member.path("status").asText(), out);
        }

        // SIGTERM: the node drains, leaves the cluster and exits 143.
        evaluator.destroy();
        assertTrue(evaluator.waitFor(60, TimeUnit.SECONDS), "the evaluator did not stop after SIGTERM");
        assertEquals(143, evaluator.exitValue(), log("evaluator"));
        String evaluatorLog = log("evaluator");
        assertTrue(evaluatorLog.contains("draining: "), evaluatorLog);
        assertTrue(seed.isAlive(), "the seed died with the evaluator");
        seed.destroy();
        assertTrue(seed.waitFor(60, TimeUnit.SECONDS), "the seed did not stop after SIGTERM");
        assertEquals(143, seed.exitValue(), log("seed"));
    }

    @Test
    void aBadVariableExits2WithOneLineBeforeJavaStarts() throws Exception {
        Process process = start("bad", Map.of("ARCHIPELAGO_ROLES", "evaluator", "ARCHIPELAGO_SLOTS", "-1"));
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue());
        List<String> lines = log("bad").strip().lines().toList();
        assertEquals(List.of("entrypoint: ARCHIPELAGO_SLOTS='-1' is not a positive integer"), lines);
    }
}
