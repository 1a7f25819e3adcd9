package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.node.worker.WorkerClient;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.ResultTold;
import io.archipelago.proto.WorkerHello;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search whose evaluator is {@code worker:KIND}, end to end in this JVM: the search opens a
 * worker gateway, Java workers dial it (as the Python client does), and one of them dies
 * mid-evaluation.
 */
class WorkerCliTest {
    private static final String TOKEN = "s3cret-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A made-up evaluation: a score from the encoding, a learning curve of three steps. */
    private static Map<String, Double> score(io.archipelago.proto.Task task, WorkerClient.Progress progress)
            throws InterruptedException {
        double score = Math.floorMod(
                        task.getCandidate().getArchitecture().getEncoding().hashCode(), 1000)
                / 10.0;
        for (int step = 1; step <= 3; step++) {
            Thread.sleep(5);
            progress.report(step, Map.of("score", score * step / 3));
        }
        return Map.of("score", score, "params", 1234.0);
    }

    private static WorkerHello hello(String name, int slots) {
        return WorkerHello.newBuilder()
                .setKind("echo")
                .setSlots(slots)
                .setName(name)
                .setProtocol(1)
                .putLabels("gpu", "none")
                .build();
    }

    /** Dials until the search's gateway is up (it opens once the search has started); fails at once if the search ended. */
    private static WorkerClient connect(
            WorkerSearch search, String token, WorkerHello hello, WorkerClient.Handler handler) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertFalse(
                    search.run.isDone(),
                    () -> "the search ended before a worker joined: "
                            + search.run.join().err());
            WorkerClient client = WorkerClient.connect("127.0.0.1:" + search.port, token, hello, handler);
            try {
                client.welcomed().get(10, TimeUnit.SECONDS);
                return client;
            } catch (java.util.concurrent.ExecutionException e) {
                client.close();
                if (Status.fromThrowable(e.getCause()).getCode() != Status.Code.UNAVAILABLE
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    @Timeout(180)
    void aSearchRunsOnWorkersAndGoesOnWhenOneDiesMidEvaluation(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        WorkerSearch search = WorkerSearch.start(
                tmp,
                TOKEN,
                "echo",
                "--metric",
                "score:max",
                "--strategy",
                "random",
                "--budget",
                "20",
                "--seed",
                "4",
                "--out",
                dir.toString());

        AtomicInteger survivorTasks = new AtomicInteger();
        WorkerClient survivor = connect(search, TOKEN, hello("survivor", 2), (task, progress) -> {
            survivorTasks.incrementAndGet();
            return score(task, progress);
        });
        CountDownLatch stuck = new CountDownLatch(1);
        AtomicInteger doomedTasks = new AtomicInteger();
        WorkerClient doomed = connect(search, TOKEN, hello("doomed", 2), (task, progress) -> {
            if (doomedTasks.incrementAndGet() == 3) {
                stuck.countDown();
                Thread.sleep(60_000); // killed before it answers
            }
            return score(task, progress);
        });
        assertTrue(stuck.await(60, TimeUnit.SECONDS), "the doomed worker got a third task");
        doomed.kill();

        CliTest.Run run = search.run.get(120, TimeUnit.SECONDS);
        survivor.close();
        assertEquals(0, run.exit(), run.err());
        JsonNode summary = JSON.readTree(dir.resolve(SearchCommand.SUMMARY).toFile());
        assertEquals(20, summary.get("evaluations").asInt(), summary.toString());
        assertEquals(0, summary.get("failed").asInt(), summary.toString());
        assertEquals("worker:echo", summary.get("evaluator").asText());

        List<String> rows = Files.readAllLines(dir.resolve(SearchCommand.EVALUATIONS));
        assertTrue(rows.get(0).contains("score"), rows.get(0));
        assertEquals(21, rows.size(), String.join("\n", rows));
        assertTrue(survivorTasks.get() >= 2 && doomedTasks.get() >= 3, survivorTasks + " / " + doomedTasks);

        // The journal holds every result with its learning curve and the worker's labels; the
        // candidate the dead worker had took a second attempt.
        try (JournalReader reader = JournalReader.open(RunDirectory.journalOf(dir, null))) {
            SearchRecord record =
                    reader.search(RunDirectory.searchIdOf(dir, reader)).orElseThrow();
            Set<Long> ids = new HashSet<>();
            int retried = 0;
            for (ResultTold told : record.told()) {
                EvaluationResult result = told.getResult();
                ids.add(result.getCandidateId());
                assertEquals(EvaluationStatus.EVALUATION_STATUS_OK, result.getStatus(), result.toString());
                if (told.getSource() != io.archipelago.proto.ResultSource.RESULT_SOURCE_EVALUATED) {
                    continue; // a repeat answered from the cache carries the first evaluation's curve
                }
                assertEquals(3, result.getIntermediatesCount(), result.toString());
                assertEquals(
                        result.getMetricsOrThrow("score"),
                        result.getIntermediates(2).getMetricsOrThrow("score"),
                        1e-9);
                assertEquals("none", result.getLabelsOrThrow("gpu"));
                assertTrue(result.getEvaluator().startsWith("worker:echo@"), result.getEvaluator());
                retried += told.getAttempts() > 1 ? 1 : 0;
            }
            assertEquals(20, ids.size());
            assertTrue(retried >= 1, "the dead worker's candidate was dispatched again");
        }
    }

    @Test
    @Timeout(120)
    void ashaCancelsAWorkersUnpromisingTasksAndTheirResultIsTheLastStep(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        WorkerSearch search = WorkerSearch.start(
                tmp,
                TOKEN,
                "echo",
                "--metric",
                "score:max",
                "--scheduler",
                "asha",
                "--rungs",
                "1,4",
                "--eta",
                "2",
                "--strategy",
                "random",
                "--budget",
                "12",
                "--out",
                dir.toString());
        AtomicInteger cancelled = new AtomicInteger();
        WorkerClient worker = connect(search, TOKEN, hello("asha", 2), (task, progress) -> {
            double level = Math.floorMod(
                    task.getCandidate().getArchitecture().getEncoding().hashCode(), 50);
            assertEquals(4, task.getCandidate().getFidelity(), "asked for the last rung");
            for (int step = 1; step <= 4; step++) {
                Thread.sleep(100);
                progress.report(step, Map.of("score", level + step));
                if (progress.cancelled()) {
                    cancelled.incrementAndGet();
                    throw new IllegalStateException("cancelled at step " + step); // what a worker might answer
                }
            }
            return Map.of("score", level + 4);
        });
        CliTest.Run run = search.run.get(90, TimeUnit.SECONDS);
        worker.close();
        assertEquals(0, run.exit(), run.err());
        List<ObjectNodeRow> rows = ObjectNodeRow.read(dir.resolve(SearchCommand.EVALUATIONS));
        long stopped = rows.stream().filter(r -> r.steps() < 4).count();
        assertTrue(stopped >= 2 && cancelled.get() >= 2, rows + " / cancelled " + cancelled);
        for (ObjectNodeRow row : rows) {
            assertEquals("ok", row.status(), "a cancelled task's result is its last step's: " + row);
        }
    }

    /** A self-signed certificate for 127.0.0.1 and its key (PEM), made with openssl; null without openssl. */
    static Path[] selfSigned(Path dir) throws Exception {
        Path cert = dir.resolve("gateway.crt");
        Path key = dir.resolve("gateway.key");
        Process openssl;
        try {
            openssl = new ProcessBuilder(
                            "openssl",
                            "req",
                            "-x509",
                            "-newkey",
                            "rsa:2048",
                            "-nodes",
                            "-keyout",
                            key.toString(),
                            "-out",
                            cert.toString(),
                            "-days",
                            "2",
                            "-subj",
                            "/CN=localhost",
                            "-addext",
                            "subjectAltName=IP:127.0.0.1,DNS:localhost")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException noOpenssl) {
            return null;
        }
        String output = new String(openssl.getInputStream().readAllBytes());
        assertTrue(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0, output);
        return new Path[] {cert, key};
    }

    @Test
    @Timeout(120)
    void aTlsGatewayServesWorkersThatTrustItsCertificateAndNoPlaintextOnes(@TempDir Path tmp) throws Exception {
        Path[] tls = selfSigned(tmp);
        org.junit.jupiter.api.Assumptions.assumeTrue(tls != null, "openssl is not installed");
        WorkerSearch search = WorkerSearch.start(
                tmp,
                TOKEN,
                "echo",
                "--metric",
                "score:max",
                "--budget",
                "3",
                "--out",
                tmp.resolve("run").toString(),
                "--worker-tls-cert",
                tls[0].toString(),
                "--worker-tls-key",
                tls[1].toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        WorkerClient secure;
        while (true) {
            secure = WorkerClient.connect(
                    "127.0.0.1:" + search.port, TOKEN, tls[0], hello("tls", 1), WorkerCliTest::score);
            try {
                secure.welcomed().get(10, TimeUnit.SECONDS);
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                secure.close();
                assertTrue(System.nanoTime() < deadline, "no TLS welcome: " + e.getCause());
                Thread.sleep(200);
            }
        }
        WorkerClient plaintext =
                WorkerClient.connect("127.0.0.1:" + search.port, TOKEN, hello("plain", 1), WorkerCliTest::score);
        Status refused = plaintext.ended().get(30, TimeUnit.SECONDS);
        plaintext.close();
        assertTrue(
                refused.getCode() != Status.Code.OK && !plaintext.welcomed().isDone()
                        || plaintext.welcomed().isCompletedExceptionally(),
                "a plaintext worker was served: " + refused);
        CliTest.Run run = search.run.get(60, TimeUnit.SECONDS);
        secure.close();
        assertEquals(0, run.exit(), run.err());
    }

    /** The columns of evaluations.csv these tests read. */
    record ObjectNodeRow(String status, int steps) {
        static List<ObjectNodeRow> read(Path csv) throws Exception {
            return WorkerSearch.rows(csv).stream()
                    .map(r -> new ObjectNodeRow(
                            r.get("status").asText(), r.get("steps").asInt()))
                    .toList();
        }
    }

    @Test
    @Timeout(120)
    void aWorkerWithoutTheTokenIsRefused(@TempDir Path tmp) throws Exception {
        WorkerSearch search = WorkerSearch.start(
                tmp,
                TOKEN,
                "echo",
                "--metric",
                "score:max",
                "--budget",
                "2",
                "--out",
                tmp.resolve("run").toString());
        try {
            assertRefused(search.port, "wrong-token", "wrong worker token");
            assertRefused(search.port, null, "no worker token");
            WorkerHello bad = hello("bad", 0);
            WorkerClient client = connect(search, TOKEN, bad, WorkerCliTest::score);
            assertTrue(false, "a worker with 0 slots was welcomed: " + client);
        } catch (java.util.concurrent.ExecutionException e) {
            Status status = Status.fromThrowable(e.getCause());
            assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
            assertTrue(status.getDescription().contains("slots must be"), status.toString());
        }
        WorkerClient good = connect(search, TOKEN, hello("good", 1), WorkerCliTest::score);
        CliTest.Run run = search.run.get(60, TimeUnit.SECONDS);
        good.close();
        assertEquals(0, run.exit(), run.err());
    }

    private static void assertRefused(int port, String token, String why) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            WorkerClient client =
                    WorkerClient.connect("127.0.0.1:" + port, token, hello("intruder", 1), WorkerCliTest::score);
            Status status = client.ended().get(10, TimeUnit.SECONDS);
            client.close();
            if (status.getCode() == Status.Code.UNAVAILABLE && System.nanoTime() < deadline) {
                Thread.sleep(100); // the gateway is not up yet
                continue;
            }
            assertEquals(Status.Code.UNAUTHENTICATED, status.getCode(), status.toString());
            assertTrue(status.getDescription().contains(why), status.toString());
            return;
        }
    }
}
