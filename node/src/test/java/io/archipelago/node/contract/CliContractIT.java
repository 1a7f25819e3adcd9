package io.archipelago.node.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.archipelago.node.ChildJvmPorts;
import io.archipelago.node.contract.Case.Outcome;
import io.archipelago.node.contract.ClusterScenarios.Scenario;
import io.archipelago.node.contract.CommandModel.Leaf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of the {@code archipelago} command line, checked through the shaded jar as users
 * run it: every leaf subcommand and every option, from picocli's own model, must have cases, and
 * every case runs as a real process ({@code java -jar}, the launcher's flags) with a deadline.
 * In-process tests (CliTest and friends) cannot see what only the jar gets wrong, such as its
 * merged reference.conf.
 *
 * <p>{@code mvn -B verify} runs it after {@code package} (maven-failsafe-plugin). The jar is the
 * system property {@code archipelago.jar}, node/target/archipelago.jar unless
 * {@code -Darchipelago.jar=PATH} names another. Alone, without the unit tests:
 * <pre>
 * mvn -B -o verify -pl node -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false      # builds the jar, then runs it
 * mvn -B -o -pl node -am test-compile failsafe:integration-test failsafe:verify  *     -Darchipelago.jar=/tmp/broken.jar                                                   # any jar, no repackaging
 * </pre>
 * {@code -Darchipelago.contract.only=REGEX} runs only the cases whose name it finds (a scenario
 * runs whole if it finds one of its cases' names; cases read what earlier ones wrote, so select
 * those too, e.g. {@code 'latency build-table|node'}); {@code -Darchipelago.contract.knownFailures=run}
 * also runs the cases marked as known product failures. Each process's stdout and stderr stay in
 * the printed workspace's logs/ folder when a case fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliContractIT {
    private static final Pattern ONLY = Pattern.compile(System.getProperty("archipelago.contract.only", ""));
    private static final boolean RUN_KNOWN_FAILURES =
            "run".equals(System.getProperty("archipelago.contract.knownFailures"));

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private static final CommandModel MODEL = new CommandModel();
    private static Path repository;
    private static Workspace workspace;
    private static JarLauncher launcher;
    private static long classStart;

    @BeforeAll
    static void setUp() throws IOException, InterruptedException {
        classStart = System.nanoTime();
        Path jar = Path.of(System.getProperty("archipelago.jar", "target/archipelago.jar"))
                .toAbsolutePath();
        assertTrue(
                Files.isRegularFile(jar),
                "no jar at " + jar + ": build it (mvn package) or name one with -Darchipelago.jar=PATH");
        repository = Path.of(System.getProperty("archipelago.repository", ".."))
                .toAbsolutePath()
                .normalize();
        workspace = new Workspace(work, repository);
        launcher = new JarLauncher(jar, work);
        System.out.printf(
                "[contract] %s, cases in %s%s%n",
                jar, work, Workspace.POSTGRES_URL == null ? ", no PostgreSQL" : ", with PostgreSQL");
    }

    @AfterAll
    static void wallTime() {
        System.out.printf(Locale.ROOT, "[contract] wall time %.1f s%n", (System.nanoTime() - classStart) / 1e9);
    }

    /** Every case of the table, scenarios included, in the order they run. */
    static List<Case> allCases() {
        List<Case> all = new ArrayList<>(SuccessCases.all());
        ClusterScenarios.ALL.forEach(scenario -> all.addAll(scenario.cases()));
        all.addAll(BadInputCases.all());
        return all;
    }

    @Test
    @Order(1)
    void caseNamesAreUnique() {
        Map<String, Long> counts = allCases().stream()
                .collect(Collectors.groupingBy(Case::name, LinkedHashMap::new, Collectors.counting()));
        counts.values().removeIf(count -> count == 1);
        assertTrue(counts.isEmpty(), "case names used more than once: " + counts.keySet());
    }

    @Test
    @Order(1)
    void everyLeafSubcommandIsInTheReadmeCommandLine() throws IOException {
        String readme = Files.readString(repository.resolve("README.md"));
        int start = readme.indexOf("\n## Command line");
        assertTrue(start >= 0, "README.md has no '## Command line' section");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> missing = new ArrayList<>();
        for (Leaf leaf : MODEL.leaves) {
            if (!Pattern.compile("archipelago " + Pattern.quote(leaf.name()) + "(\\s|$)", Pattern.MULTILINE)
                    .matcher(section)
                    .find()) {
                missing.add("archipelago " + leaf.name());
            }
        }
        assertTrue(missing.isEmpty(), "README.md's 'Command line' section does not show: " + missing);
    }

    @Test
    @Order(2)
    void everySubcommandAndOptionHasCases() {
        List<String> gaps = Coverage.gaps(MODEL, allCases());
        assertTrue(gaps.isEmpty(), gaps.size() + " gap(s) in the contract's cases:\n  " + String.join("\n  ", gaps));
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> succeedingCommands() {
        return dynamicTests(SuccessCases.all());
    }

    @Test
    @Order(4)
    void aNodeServesEvaluationsLatencyAndStatusUntilSigterm() throws Exception {
        runScenario(ClusterScenarios.EVALUATOR_AND_LATENCY_NODE);
    }

    @Test
    @Order(5)
    void aControllerNodeHostsSearchesOfAPostgresJournal() throws Exception {
        runScenario(ClusterScenarios.SEARCH_HOST_ON_POSTGRES);
    }

    @Test
    @Order(6)
    void aGatewayNodeServesAWorkersSlotsUntilSigterm() throws Exception {
        runScenario(ClusterScenarios.GATEWAY_NODE_AND_WORKER);
    }

    @Test
    @Order(6)
    void aNodeServesManagementAndMetricsUntilSigterm() throws Exception {
        runScenario(ClusterScenarios.NODE_WITH_MANAGEMENT);
    }

    @TestFactory
    @Order(7)
    Stream<DynamicTest> badInput() {
        return dynamicTests(BadInputCases.all());
    }

    private static Stream<DynamicTest> dynamicTests(List<Case> cases) {
        return cases.stream()
                .filter(CliContractIT::selected)
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> execute(c, Map.of())));
    }

    /** Runs one case; {@code scenario} adds the placeholders of a running scenario (its ports). */
    private static void execute(Case c, Map<String, String> scenario) throws IOException, InterruptedException {
        skipIfNotRunHere(c);
        if (String.join(" ", c.args()).contains("{runners}")) {
            // runners/local-cpu falls back to the ./archipelago launcher, which would build and install the project.
            assertTrue(
                    Files.isRegularFile(repository.resolve("node/target/archipelago.jar")),
                    c.name() + ": runners/local-cpu runs node/target/archipelago.jar, which is not built");
        }
        UnaryOperator<String> resolve = workspace.resolver(scenario);
        JarLauncher.Finished result = launcher.run(
                c.args().stream().map(resolve).toList(), resolveValues(c.env(), resolve), c.stdin(), c.timeout());
        System.out.printf(
                Locale.ROOT,
                "[contract] %6.1f s  exit %3d  %s%n",
                result.took().toMillis() / 1000.0,
                result.exit(),
                c.name());
        try {
            assertFalse(
                    result.timedOut(),
                    "no exit within " + c.timeout().toSeconds() + " s: a hang; the process tree was killed");
            if (c.outcome() instanceof Outcome.Succeeds succeeds) {
                assertEquals(0, result.exit(), "exit code");
                succeeds.checks().forEach(check -> check.verify(result, resolve));
            } else if (c.outcome() instanceof Outcome.RejectsInput rejects) {
                assertEquals(2, result.exit(), "exit code of bad input");
                List<String> lines = result.stderrLines();
                assertEquals(1, lines.size(), "bad input must print exactly one line on stderr, got " + lines.size());
                assertTrue(
                        lines.get(0).contains(rejects.message()),
                        "stderr does not name the problem ('" + rejects.message() + "')");
                assertFalse(lines.get(0).contains("Exception"), "an exception's name on stderr");
            } else {
                throw new IllegalStateException(c.name() + " runs in a scenario, not alone");
            }
        } catch (AssertionError e) {
            throw new AssertionError(c.name() + ": " + e.getMessage() + "\n" + result.describe(), e);
        }
    }

    /**
     * Starts the scenario's node, waits until it is up, runs the probes against it, then sends it
     * SIGTERM: it must drain, leave and exit with the documented code in time. The node's process
     * tree is killed whatever happens.
     */
    private static void runScenario(Scenario scenario) throws IOException, InterruptedException {
        Case node = scenario.node();
        assumeTrue(scenario.cases().stream().anyMatch(CliContractIT::selected), "no case of this scenario is selected");
        skipIfNotRunHere(node);
        int base = ChildJvmPorts.freePorts(3);
        Map<String, String> ports = Map.of(
                "node-port",
                String.valueOf(base),
                "search-port",
                String.valueOf(base + 1),
                "worker-port",
                String.valueOf(base + 2));
        UnaryOperator<String> resolve = workspace.resolver(ports);
        Outcome.ServesUntilSigterm serves = (Outcome.ServesUntilSigterm) node.outcome();
        System.out.printf("[contract] scenario: %s%n", scenario.name());
        long start = System.nanoTime();
        try (JarLauncher.Running running =
                launcher.start(node.args().stream().map(resolve).toList(), resolveValues(node.env(), resolve), null)) {
            try {
                running.awaitStdout(serves.readyLine(), node.timeout());
            } catch (AssertionError e) {
                throw new AssertionError(node.name() + ": " + e.getMessage(), e);
            }
            System.out.printf(
                    Locale.ROOT, "[contract] %6.1f s  up        %s%n", (System.nanoTime() - start) / 1e9, node.name());
            List<JarLauncher.Running> companions = new ArrayList<>();
            try {
                for (Case companion : scenario.companions()) {
                    companions.add(startCompanion(companion, resolve));
                }
                for (Case probe : scenario.probes()) {
                    execute(probe, ports);
                }
                for (int i = companions.size() - 1; i >= 0; i--) {
                    stop(scenario.companions().get(i), companions.get(i));
                }
            } finally {
                companions.forEach(JarLauncher.Running::close);
            }
            JarLauncher.Finished stopped = running.terminate(serves.stopWithin());
            System.out.printf(
                    Locale.ROOT,
                    "[contract] %6.1f s  exit %3d  %s (SIGTERM)%n",
                    stopped.took().toMillis() / 1000.0,
                    stopped.exit(),
                    node.name());
            assertFalse(
                    stopped.timedOut(),
                    node.name() + ": still running " + serves.stopWithin().toSeconds() + " s after SIGTERM\n"
                            + stopped.describe());
            assertEquals(
                    serves.exitCode(),
                    stopped.exit(),
                    node.name() + ": exit code after SIGTERM\n" + stopped.describe());
        }
    }

    private static JarLauncher.Running startCompanion(Case companion, UnaryOperator<String> resolve)
            throws IOException, InterruptedException {
        Outcome.ServesUntilSigterm serves = (Outcome.ServesUntilSigterm) companion.outcome();
        long start = System.nanoTime();
        JarLauncher.Running running = launcher.start(
                companion.args().stream().map(resolve).toList(), resolveValues(companion.env(), resolve), null);
        try {
            running.awaitStdout(serves.readyLine(), companion.timeout());
        } catch (AssertionError e) {
            running.close();
            throw new AssertionError(companion.name() + ": " + e.getMessage(), e);
        }
        System.out.printf(
                Locale.ROOT, "[contract] %6.1f s  up        %s%n", (System.nanoTime() - start) / 1e9, companion.name());
        return running;
    }

    /** SIGTERM: the command must stop in time with the documented exit code. */
    private static void stop(Case c, JarLauncher.Running running) throws InterruptedException {
        Outcome.ServesUntilSigterm serves = (Outcome.ServesUntilSigterm) c.outcome();
        JarLauncher.Finished stopped = running.terminate(serves.stopWithin());
        System.out.printf(
                Locale.ROOT,
                "[contract] %6.1f s  exit %3d  %s (SIGTERM)%n",
                stopped.took().toMillis() / 1000.0,
                stopped.exit(),
                c.name());
        assertFalse(
                stopped.timedOut(),
                c.name() + ": still running " + serves.stopWithin().toSeconds() + " s after SIGTERM\n"
                        + stopped.describe());
        assertEquals(serves.exitCode(), stopped.exit(), c.name() + ": exit code after SIGTERM\n" + stopped.describe());
    }

    private static boolean selected(Case c) {
        return ONLY.matcher(c.name()).find();
    }

    private static void skipIfNotRunHere(Case c) {
        if (c.knownFailure() != null && !RUN_KNOWN_FAILURES) {
            Assumptions.abort("KNOWN FAILURE (product): " + c.knownFailure()
                    + "; -Darchipelago.contract.knownFailures=run runs it");
        }
        assumeTrue(
                !c.needsPostgres() || Workspace.POSTGRES_URL != null,
                "ARCHIPELAGO_TEST_POSTGRES_URL is not set (scripts/test-postgres.sh start gives one)");
    }

    private static Map<String, String> resolveValues(Map<String, String> env, UnaryOperator<String> resolve) {
        Map<String, String> resolved = new LinkedHashMap<>();
        env.forEach((name, value) -> resolved.put(name, resolve.apply(value)));
        return resolved;
    }
}
