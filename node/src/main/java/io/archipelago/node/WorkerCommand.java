package io.archipelago.node;

import io.archipelago.evaluators.Progress;
import io.archipelago.evaluators.runner.CommandRunnerEvaluator;
import io.archipelago.node.setup.OptionChecks;
import io.archipelago.node.setup.WorkerOptions;
import io.archipelago.node.worker.WorkerClient;
import io.archipelago.node.worker.WorkerGateway;
import io.archipelago.proto.WorkerHello;
import io.grpc.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago worker}: a worker process in Java, for programs that speak runner protocol 2
 * (any language, no gRPC of their own): it dials a gateway and runs {@code --runner CMD} per task.
 * A lost gateway is dialled again (backoff 0.5 s to 30 s); a refusal (token, hello) ends it.
 */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description =
                "Serve a worker gateway's tasks of one kind, running --runner CMD per candidate (runner protocol 2), "
                        + "until SIGTERM.")
public final class WorkerCommand implements Callable<Integer> {
    /** Statuses that say this worker is not wanted: dialling again cannot help. */
    private static final Set<Status.Code> REFUSALS = Set.of(
            Status.Code.UNAUTHENTICATED,
            Status.Code.PERMISSION_DENIED,
            Status.Code.INVALID_ARGUMENT,
            Status.Code.UNIMPLEMENTED,
            Status.Code.FAILED_PRECONDITION);

    @Option(names = "--gateway", required = true, paramLabel = "HOST:PORT", description = "The gateway to dial.")
    String gateway;

    @Option(
            names = "--kind",
            required = true,
            description = "The evaluator kind served: searches with --evaluator worker:KIND get these slots.")
    String kind;

    @Option(names = "--slots", defaultValue = "1", description = "Tasks run at once (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(
            names = "--runner",
            required = true,
            paramLabel = "CMD",
            description =
                    "Run per task through /bin/sh -c: the request as a JSON line on stdin, results as JSON lines on "
                            + "stdout (runner protocol 2, runners/README.md).")
    String runner;

    @Option(
            names = "--eval-timeout",
            defaultValue = "3600",
            paramLabel = "SECONDS",
            description = "Seconds one task's process may run before it is killed (default: ${DEFAULT-VALUE}).")
    double evalTimeoutSeconds;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "The gateway's token: the first line of FILE (default: the environment variable "
                    + WorkerOptions.TOKEN_VARIABLE + ").")
    Path tokenFile;

    @Option(
            names = "--tls-ca",
            paramLabel = "FILE",
            description = "The authority that signed the gateway's certificate (PEM): dial with TLS.")
    Path tlsCa;

    @Option(names = "--name", description = "How the gateway's logs and results name this worker (default: host:pid).")
    String name;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        OptionChecks.positive("--slots", slots);
        if (!(evalTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("--eval-timeout must be > 0 seconds, got " + evalTimeoutSeconds);
        }
        CommandRunnerEvaluator evaluator =
                new CommandRunnerEvaluator(kind, runner, Duration.ofMillis((long) (evalTimeoutSeconds * 1000)));
        WorkerHello hello = WorkerHello.newBuilder()
                .setKind(kind)
                .setSlots(slots)
                .setName(name != null ? name : defaultName())
                .setProtocol(1)
                .putLabels("runner", runner.length() > 200 ? runner.substring(0, 200) + "..." : runner)
                .build();
        String problem = WorkerGateway.problemWith(hello);
        if (problem != null) {
            throw new IllegalArgumentException(
                    problem.startsWith("kind") ? "--" + problem : problem.replace("slots", "--slots"));
        }
        String token = token();
        if (tlsCa != null && !Files.isReadable(tlsCa)) {
            throw new IllegalArgumentException("--tls-ca " + tlsCa + " cannot be read");
        }
        AtomicReference<WorkerClient> current = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            WorkerClient client = current.get();
            if (client != null) {
                client.close(); // SIGTERM: end the stream, so the gateway gives the tasks to others at once
            }
        }));
        long backoffMillis = 500;
        while (true) {
            WorkerClient client = WorkerClient.connect(
                    gateway,
                    token,
                    tlsCa,
                    hello,
                    (task, progress) -> evaluator
                            .evaluate(
                                    task.getCandidate().getArchitecture(),
                                    task.getCandidate().getFidelity(),
                                    new Progress() { // each line as it is read, and a cancel kills the runner
                                        @Override
                                        public boolean report(int step, java.util.Map<String, Double> metrics) {
                                            progress.report(step, metrics);
                                            return !progress.cancelled();
                                        }

                                        @Override
                                        public boolean stopRequested() {
                                            return progress.cancelled();
                                        }
                                    })
                            .metrics());
            current.set(client);
            client.welcomed().thenAccept(id -> {
                out.printf(
                        "worker %s: welcomed by %s as %s (%d slot(s) of worker:%s)%n",
                        hello.getName(), gateway, id, slots, kind);
                out.flush();
            });
            Status status = client.ended().get();
            boolean served = client.welcomed().isDone() && !client.welcomed().isCompletedExceptionally();
            client.close();
            if (REFUSALS.contains(status.getCode())) {
                throw new IllegalArgumentException("the gateway " + gateway + " refused this worker: "
                        + status.getDescription() + " (" + status.getCode() + ")");
            }
            backoffMillis = served ? 500 : Math.min(30_000, backoffMillis * 2);
            out.printf(
                    "worker %s: gateway %s lost (%s%s); dialling again in %.1f s%n",
                    hello.getName(),
                    gateway,
                    status.getCode(),
                    status.getDescription() == null ? "" : ": " + status.getDescription(),
                    backoffMillis / 1000.0);
            out.flush();
            Thread.sleep(backoffMillis);
        }
    }

    private String token() throws IOException {
        if (tokenFile != null) {
            if (!Files.isReadable(tokenFile)) {
                throw new IllegalArgumentException("--token-file " + tokenFile + " cannot be read");
            }
            String token = Files.readAllLines(tokenFile, StandardCharsets.UTF_8).stream()
                    .findFirst()
                    .orElse("")
                    .strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("--token-file " + tokenFile + ": its first line is empty");
            }
            return token;
        }
        return System.getenv(WorkerOptions.TOKEN_VARIABLE); // none: the gateway says so
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
