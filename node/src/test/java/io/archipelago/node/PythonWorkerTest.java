package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.ResultTold;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client ({@code clients/python}) against a live gateway, as a user runs it: Debian's
 * python3 with Debian's grpcio and protobuf ({@code scripts/install-python-worker.sh}, which CI
 * runs first). Skipped, saying why, on a machine without them.
 */
class PythonWorkerTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path CLIENT =
            Path.of("..", "clients", "python").toAbsolutePath().normalize();
    private static final String TOKEN = "python-test-token";

    /** A training script's shape: two epochs of 0.4 s, a score from the encoding. */
    private static final String EVALUATE = """
            import time, zlib

            def evaluate(request, report):
                score = zlib.crc32(request.encoding.encode()) % 1000 / 10.0
                for epoch in (1, 2):
                    time.sleep(0.2)
                    report(epoch=epoch, score=score * epoch / 2)
                return {"score": score}
            """;

    static void assumePythonClient() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), PYTHON + " is missing");
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import grpc, google.protobuf")
                .redirectErrorStream(true)
                .start();
        assumeTrue(
                probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "Debian's python3-grpcio and python3-protobuf are not installed (scripts/install-python-worker.sh)");
    }

    @Test
    @Timeout(300)
    void thePythonClientsOwnTestsPass() throws Exception {
        assumePythonClient();
        Process tests = new ProcessBuilder(PYTHON.toString(), "-m", "unittest", "discover", "-s", "tests")
                .directory(CLIENT.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(tests.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tests.waitFor(240, TimeUnit.SECONDS), output);
        assertEquals(0, tests.exitValue(), output);
        assertTrue(output.contains("OK"), output);
    }

    @Test
    @Timeout(300)
    void twoPythonWorkersServeASearchAndOneIsKilledMidEvaluation(@TempDir Path tmp) throws Exception {
        assumePythonClient();
        Path module = Files.writeString(tmp.resolve("slow_eval.py"), EVALUATE);
        Path dir = tmp.resolve("run");
        WorkerSearch search = WorkerSearch.start(
                tmp,
                TOKEN,
                "slow",
                "--metric",
                "score:max",
                "--strategy",
                "random",
                "--budget",
                "20",
                "--seed",
                "5",
                "--out",
                dir.toString());
        List<Process> workers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                workers.add(worker(search.port, module, tmp.resolve("worker-" + i + ".log")));
            }
            // once a few results are in, both workers are busy: kill one as -9 does
            Path csv = dir.resolve(SearchCommand.EVALUATIONS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!(Files.exists(csv) && Files.readAllLines(csv).size() > 5) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            workers.get(1).destroyForcibly(); // SIGKILL
            CliTest.Run run = search.run.get(180, TimeUnit.SECONDS);
            assertEquals(0, run.exit(), run.err() + log(tmp));
        } finally {
            workers.forEach(Process::destroyForcibly);
        }
        JsonNode summary =
                new ObjectMapper().readTree(dir.resolve(SearchCommand.SUMMARY).toFile());
        assertEquals(20, summary.get("evaluations").asInt(), summary.toString());
        assertEquals(0, summary.get("failed").asInt(), summary.toString());
        try (JournalReader reader = JournalReader.open(RunDirectory.journalOf(dir, null))) {
            SearchRecord record =
                    reader.search(RunDirectory.searchIdOf(dir, reader)).orElseThrow();
            Set<String> architectures = new HashSet<>();
            int retried = 0;
            for (ResultTold told : record.told()) {
                EvaluationResult result = told.getResult();
                assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, result.getStatus(), result.toString());
                architectures.add(result.getArchitecture().getEncoding());
                if (told.getSource() == io.archipelago.proto.ResultSource.RESULT_SOURCE_EVALUATED) {
                    assertEquals(2, result.getIntermediatesCount(), result.toString()); // the journaled curve
                    retried += told.getAttempts() > 1 ? 1 : 0;
                }
            }
            assertEquals(20, record.told().size());
            assertTrue(architectures.size() >= 18, "distinct architectures: " + architectures.size());
            assertTrue(retried >= 1, "the killed worker's candidates were dispatched again");
        }
    }

    @Test
    @Timeout(300)
    void benchWorkerThroughputDrivesAPythonNoopWorker() throws Exception {
        assumePythonClient();
        CliTest.Run run = CliTest.run(
                "bench",
                "worker-throughput",
                "--language",
                "python",
                "--client",
                CLIENT.toString(),
                "--slots",
                "4",
                "--candidates",
                "300",
                "--warmup-seconds",
                "0",
                "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode result = new ObjectMapper().readTree(run.lastLine());
        assertEquals("python", result.get("language").asText());
        assertTrue(result.get("evaluations_per_second").asDouble() > 0, result.toString());
    }

    @Test
    @Timeout(300)
    void aPythonWorkerDialsATlsGatewayThatItTrusts(@TempDir Path tmp) throws Exception {
        assumePythonClient();
        Path[] tls = WorkerCliTest.selfSigned(tmp);
        assumeTrue(tls != null, "openssl is not installed");
        Path module = Files.writeString(tmp.resolve("slow_eval.py"), EVALUATE);
        Path dir = tmp.resolve("run");
        WorkerSearch search = WorkerSearch.start(
                tmp,
                TOKEN,
                "slow",
                "--metric",
                "score:max",
                "--budget",
                "4",
                "--out",
                dir.toString(),
                "--worker-tls-cert",
                tls[0].toString(),
                "--worker-tls-key",
                tls[1].toString());
        Process worker = worker(search.port, module, tmp.resolve("worker-tls.log"), "--tls-ca", tls[0].toString());
        try {
            CliTest.Run run = search.run.get(120, TimeUnit.SECONDS);
            assertEquals(0, run.exit(), run.err() + log(tmp));
        } finally {
            worker.destroyForcibly();
        }
        JsonNode summary =
                new ObjectMapper().readTree(dir.resolve(SearchCommand.SUMMARY).toFile());
        assertEquals(4, summary.get("evaluations").asInt(), summary.toString());
        assertEquals(0, summary.get("failed").asInt(), summary.toString());
    }

    private static Process worker(int port, Path module, Path log, String... extra) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(
                        PYTHON.toString(),
                        "-m",
                        "archipelago_worker",
                        "--kind",
                        "slow",
                        "--slots",
                        "2",
                        "--gateway",
                        "127.0.0.1:" + port,
                        "--module",
                        module.toString())
                .directory(CLIENT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.command().addAll(List.of(extra));
        builder.environment().put("ARCHIPELAGO_WORKER_TOKEN", TOKEN);
        return builder.start();
    }

    private static String log(Path tmp) throws IOException {
        StringBuilder text = new StringBuilder();
        try (var logs = Files.newDirectoryStream(tmp, "worker-*.log")) {
            for (Path log : logs) {
                text.append("\n--- ").append(log.getFileName()).append('\n').append(Files.readString(log));
            }
        }
        return text.toString();
    }
}
