package io.archipelago.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * deploy/docker/entrypoint.sh without a JVM: a stand-in {@code java} prints the command line the
 * script would exec. Variables become options, a bare management port binds every interface,
 * arguments go last, and a bad value exits 2 with one line. {@code EntrypointScriptIT} starts real
 * nodes through it.
 */
class EntrypointScriptTest {
    private static final DeployFiles DEPLOY = DeployFiles.find();

    @TempDir
    Path work;

    private Path jar;

    @BeforeEach
    void fakeJar() throws Exception {
        jar = Files.createFile(work.resolve("archipelago.jar"));
    }

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ARCHIPELAGO_JAR", jar.toString());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    /** The node's arguments: what follows -jar JAR, without the stand-in's last line. */
    private static List<String> nodeArgs(DeployFiles.Run run) {
        List<String> lines = run.stdoutLines();
        return lines.subList(lines.indexOf("-jar") + 2, lines.size() - 1);
    }

    @Test
    void variablesBecomeTheNodesOptions() {
        DeployFiles.Run run = DEPLOY.runWithFakeJava(
                work,
                env(
                        "ARCHIPELAGO_ROLES", "evaluator, controller",
                        "ARCHIPELAGO_EVALUATOR", "teg",
                        "ARCHIPELAGO_SLOTS", "4",
                        "ARCHIPELAGO_TRANSPORT", "tcp",
                        "POD_IP", "10.1.2.3",
                        "ARCHIPELAGO_DISCOVERY", "kubernetes-api",
                        "ARCHIPELAGO_DISCOVERY_SERVICE", "archipelago",
                        "ARCHIPELAGO_MANAGEMENT", "8558",
                        "ARCHIPELAGO_JOURNAL_URL", "jdbc:postgresql://db:5432/a?user=u&password=p",
                        "JAVA_OPTS", "-Xmx1g -XX:+UseSerialGC"),
                List.of("--data", "gaussian"));
        assertEquals(0, run.exit(), run.stderr());
        List<String> lines = run.stdoutLines();
        assertTrue(lines.containsAll(List.of("-Xmx1g", "-XX:+UseSerialGC", "--add-opens")), lines.toString());
        assertEquals(
                List.of(
                        "node",
                        "--roles",
                        "evaluator,controller",
                        "--host",
                        "10.1.2.3",
                        "--port",
                        "2551",
                        "--evaluator",
                        "teg",
                        "--slots",
                        "4",
                        "--transport",
                        "tcp",
                        "--discovery",
                        "kubernetes-api",
                        "--discovery-service",
                        "archipelago",
                        "--management",
                        "0.0.0.0:8558",
                        "--journal",
                        "jdbc:postgresql://db:5432/a?user=u&password=p",
                        "--data",
                        "gaussian"),
                nodeArgs(run));
        assertEquals("OMP_WAIT_POLICY=PASSIVE", lines.get(lines.size() - 1));
    }

    @Test
    void defaultsAreTheNodesAndTheHostFallsBackToHostnameI() {
        DeployFiles.Run run =
                DEPLOY.runWithFakeJava(work, env("ARCHIPELAGO_ROLES", "none", "OMP_WAIT_POLICY", "ACTIVE"), List.of());
        if (run.exit() == 2 && run.stderr().contains("'hostname -i' gives no address")) {
            return; // a machine whose name does not resolve: the script says so, in one line
        }
        assertEquals(0, run.exit(), run.stderr());
        List<String> args = nodeArgs(run);
        assertEquals(List.of("node", "--roles", "none", "--host"), args.subList(0, 4));
        assertTrue(!args.get(4).isBlank(), args.toString()); // hostname -i
        assertEquals(List.of("--port", "2551"), args.subList(5, 7));
        assertEquals(7, args.size(), args.toString());
        List<String> lines = run.stdoutLines();
        assertTrue(lines.contains("-XX:MaxRAMPercentage=50"), lines.toString());
        assertEquals("OMP_WAIT_POLICY=ACTIVE", lines.get(lines.size() - 1));
    }

    @Test
    void aGatewayGetsItsPortAndReadsItsTokenFromTheEnvironment() throws Exception {
        Path token = Files.writeString(work.resolve("token"), "t0ken\n");
        DeployFiles.Run run = DEPLOY.runWithFakeJava(
                work,
                env(
                        "ARCHIPELAGO_ROLES", "gateway",
                        "ARCHIPELAGO_HOST", "10.0.0.9",
                        "ARCHIPELAGO_WORKER_PORT", "50051",
                        "ARCHIPELAGO_WORKER_TOKEN_FILE", token.toString(),
                        "ARCHIPELAGO_SEED_NODES", "10.0.0.1:2551,10.0.0.2:2551",
                        "ARCHIPELAGO_MANAGEMENT", "0.0.0.0:9000"),
                List.of());
        assertEquals(0, run.exit(), run.stderr());
        List<String> args = nodeArgs(run);
        assertEquals(
                List.of(
                        "node",
                        "--roles",
                        "gateway",
                        "--host",
                        "10.0.0.9",
                        "--port",
                        "2551",
                        "--seed-nodes",
                        "10.0.0.1:2551,10.0.0.2:2551",
                        "--management",
                        "0.0.0.0:9000",
                        "--worker-port",
                        "50051",
                        "--worker-token-file",
                        token.toString()),
                args);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "ARCHIPELAGO_ROLES|''|ARCHIPELAGO_ROLES is set but blank",
                "ARCHIPELAGO_ROLES|evaluator,trainer|unknown role 'trainer'",
                "ARCHIPELAGO_SLOTS|0|ARCHIPELAGO_SLOTS='0' is not a positive integer",
                "ARCHIPELAGO_SLOTS|two|ARCHIPELAGO_SLOTS='two' is not a positive integer",
                "ARCHIPELAGO_PORT|65536|ARCHIPELAGO_PORT='65536' is not a port number",
                "ARCHIPELAGO_TRANSPORT|udp|unknown transport 'udp'",
                "ARCHIPELAGO_SEED_NODES|10.0.0.1|'10.0.0.1' is not HOST:PORT",
                "ARCHIPELAGO_DISCOVERY|dns|unknown method 'dns'",
                "ARCHIPELAGO_DISCOVERY_SERVICE|archipelago|needs ARCHIPELAGO_DISCOVERY=kubernetes-api",
                "ARCHIPELAGO_MANAGEMENT|http|ARCHIPELAGO_MANAGEMENT='http' is not [HOST:]PORT",
                "ARCHIPELAGO_JOURNAL_URL|postgres://db/a|is not a JDBC URL",
                "ARCHIPELAGO_WORKER_PORT|50051|add gateway to ARCHIPELAGO_ROLES",
                "ARCHIPELAGO_EVALUATOR|'  '|ARCHIPELAGO_EVALUATOR is set but blank",
                "ARCHIPELAGO_JAR|/no/such.jar|no jar at /no/such.jar",
            })
    void aBadValueExits2WithOneLine(String variable, String value, String message) {
        Map<String, String> env = env("ARCHIPELAGO_ROLES", "evaluator", "POD_IP", "10.0.0.1");
        env.put(variable, value);
        DeployFiles.Run run = DEPLOY.runWithFakeJava(work, env, List.of());
        assertEquals(2, run.exit(), run.stdout() + run.stderr());
        assertEquals(1, run.stderrLines().size(), run.stderr());
        assertTrue(run.stderr().startsWith("entrypoint: ") && run.stderr().contains(message), run.stderr());
        assertEquals("", run.stdout(), "java must not start");
    }

    @Test
    void combinationsThatCannotWorkExit2() {
        String[][] cases = {
            {"ARCHIPELAGO_ROLES", "evaluator", "ARCHIPELAGO_JOURNAL_URL", "jdbc:postgresql://db/a"},
            {"ARCHIPELAGO_ROLES", "gateway", "ARCHIPELAGO_WORKER_PORT", "50051"},
            {"ARCHIPELAGO_ROLES", "gateway", "ARCHIPELAGO_WORKER_TOKEN", "t"},
            {"ARCHIPELAGO_ROLES", "evaluator", "ARCHIPELAGO_DISCOVERY", "kubernetes-api"},
            {
                "ARCHIPELAGO_ROLES",
                "evaluator",
                "ARCHIPELAGO_DISCOVERY",
                "kubernetes-api",
                "ARCHIPELAGO_DISCOVERY_SERVICE",
                "a"
            },
            {
                "ARCHIPELAGO_ROLES",
                "evaluator",
                "ARCHIPELAGO_DISCOVERY",
                "seed-nodes",
                "ARCHIPELAGO_DISCOVERY_SERVICE",
                "a"
            },
            {
                "ARCHIPELAGO_ROLES", "evaluator", "ARCHIPELAGO_DISCOVERY", "kubernetes-api",
                "ARCHIPELAGO_DISCOVERY_SERVICE", "a", "ARCHIPELAGO_SEED_NODES", "h:1"
            },
        };
        for (String[] pairs : cases) {
            DeployFiles.Run run = DEPLOY.runWithFakeJava(work, env(pairs), List.of());
            assertEquals(2, run.exit(), String.join(" ", pairs) + ": " + run.stdout() + run.stderr());
            assertEquals(1, run.stderrLines().size(), run.stderr());
        }
        DeployFiles.Run missing = DEPLOY.runWithFakeJava(work, env(), List.of());
        assertEquals(2, missing.exit());
        assertTrue(missing.stderr().contains("ARCHIPELAGO_ROLES is required"), missing.stderr());
    }

    @Test
    void theScriptIsPosixShellAndExecutable() {
        assertTrue(DEPLOY.script().startsWith("#!/bin/sh\n"));
        assertTrue(Files.isExecutable(DEPLOY.entrypoint), "chmod +x deploy/docker/entrypoint.sh");
        assertTrue(DEPLOY.script().contains("\nexec java "), "java must replace the shell (SIGTERM reaches it)");
        // dash is Debian's /bin/sh; bash too must take it (the image's /bin/sh is dash, the reader's may be bash)
        for (String shell : List.of("/bin/dash", "/bin/bash")) {
            if (Files.isExecutable(Path.of(shell))) {
                DeployFiles.Run run = DEPLOY.run(
                        shell,
                        work,
                        "/usr/bin:/bin",
                        Map.of("ARCHIPELAGO_ROLES", "bogus", "ARCHIPELAGO_JAR", jar.toString()),
                        List.of());
                assertEquals(2, run.exit(), shell + ": " + run.stderr());
            }
        }
    }
}
