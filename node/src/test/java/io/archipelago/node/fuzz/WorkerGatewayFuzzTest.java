package io.archipelago.node.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.fuzz.Fuzz;
import io.archipelago.node.engine.Engine;
import io.archipelago.node.worker.WorkerClient;
import io.archipelago.node.worker.WorkerGateway;
import io.archipelago.proto.GatewayMessage;
import io.archipelago.proto.Heartbeat;
import io.archipelago.proto.TaskProgress;
import io.archipelago.proto.TaskResult;
import io.archipelago.proto.WorkerGatewayGrpc;
import io.archipelago.proto.WorkerHello;
import io.archipelago.proto.WorkerMessage;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: what a worker sends a gateway. Each try opens a stream and sends a drawn sequence
 * of messages (hellos of any kind, slots and protocol, results and progress for tasks that do not
 * exist, non-finite metrics, empty messages, heartbeats), then closes it. The gateway must end the
 * stream with a status (never hang it), forget the session, and go on welcoming a well-behaved
 * worker. {@value #TRIES} tries from a fixed seed; {@code -Darchipelago.fuzz.seconds=N} runs N
 * seconds from a random one (see {@link Fuzz}).
 */
class WorkerGatewayFuzzTest {
    static final int TRIES = 40;
    private static final String TOKEN = "fuzz-token";
    private static final Duration ENDS_WITHIN = Duration.ofSeconds(20);

    /** Text of any kind that is valid Unicode (a lone surrogate would only make the sender's protobuf complain). */
    private static final String TEXT = "abcZ09 .-_:/\\\"{}\u0000\n\té\u2028\uffff\u4e2d";

    private static Engine engine;
    private static WorkerGateway gateway;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        engine = new Engine(List.of(), com.typesafe.config.ConfigFactory.empty());
        gateway = WorkerGateway.start(
                engine.system(), new WorkerGateway.Settings("127.0.0.1", 0, TOKEN, Duration.ofSeconds(1)));
        channel = NettyChannelBuilder.forTarget("127.0.0.1:" + gateway.port())
                .usePlaintext()
                .build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        gateway.close();
        engine.close();
    }

    private static final Fuzz.Gen<WorkerHello> HELLOS = random -> WorkerHello.newBuilder()
            .setKind(random.nextInt(3) == 0 ? Fuzz.string(random, TEXT, 80) : Fuzz.string(random, "abc-._Z9 ", 12))
            .setSlots(random.nextInt(4) == 0 ? Fuzz.anyInt(random) : random.nextInt(6))
            .setProtocol(random.nextInt(4) == 0 ? Fuzz.anyInt(random) : 1)
            .setName(Fuzz.string(random, TEXT, 40))
            .putLabels(Fuzz.string(random, TEXT, 10), Fuzz.string(random, TEXT, 10))
            .build();

    private static Map<String, Double> metrics(SplittableRandom random) {
        double[] values = {Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e308, random.nextDouble()};
        return Map.of(Fuzz.string(random, TEXT, 12), values[random.nextInt(values.length)]);
    }

    private static final Fuzz.Gen<WorkerMessage> MESSAGES = Fuzz.oneOf(
            random -> WorkerMessage.newBuilder().setHello(HELLOS.draw(random)).build(),
            random -> WorkerMessage.newBuilder()
                    .setProgress(TaskProgress.newBuilder()
                            .setTaskId(random.nextLong())
                            .setStep(Fuzz.anyInt(random))
                            .putAllMetrics(metrics(random)))
                    .build(),
            random -> WorkerMessage.newBuilder()
                    .setResult(TaskResult.newBuilder()
                            .setTaskId(random.nextInt(3))
                            .setFailureReason(random.nextBoolean() ? "" : Fuzz.string(random, TEXT, 30))
                            .putAllMetrics(metrics(random)))
                    .build(),
            random -> WorkerMessage.newBuilder()
                    .setHeartbeat(Heartbeat.getDefaultInstance())
                    .build(),
            random -> WorkerMessage.getDefaultInstance());

    private static final Fuzz.Gen<List<WorkerMessage>> SEQUENCES = random -> {
        List<WorkerMessage> sequence = new ArrayList<>();
        if (random.nextInt(3) > 0) {
            sequence.add(
                    WorkerMessage.newBuilder().setHello(HELLOS.draw(random)).build());
        }
        int more = Fuzz.size(random, 8);
        for (int i = 0; i < more; i++) {
            sequence.add(MESSAGES.draw(random));
        }
        return sequence;
    };

    @Test
    void anySequenceOfMessagesEndsWithAStatusAndTheGatewayServesOn() {
        Fuzz.check("worker gateway", 23L, TRIES, SEQUENCES, WorkerGatewayFuzzTest::send);
        assertWellBehavedWorkerIsWelcomed();
    }

    private static void send(List<WorkerMessage> sequence) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + TOKEN);
        CompletableFuture<Status> ended = new CompletableFuture<>();
        StreamObserver<WorkerMessage> toGateway = WorkerGatewayGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .connect(new StreamObserver<>() {
                    @Override
                    public void onNext(GatewayMessage message) {}

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(Status.OK);
                    }
                });
        try {
            for (WorkerMessage message : sequence) {
                toGateway.onNext(message);
            }
            toGateway.onCompleted();
        } catch (RuntimeException alreadyEnded) {
            // the gateway refused the stream before all was sent: its status says why
        }
        Status status;
        try {
            status = ended.get(ENDS_WITHIN.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the stream did not end within " + ENDS_WITHIN, e);
        }
        assertTrue(
                List.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT, Status.Code.UNAVAILABLE)
                        .contains(status.getCode()),
                "ended with " + status);
    }

    private static void assertWellBehavedWorkerIsWelcomed() {
        WorkerClient worker = WorkerClient.connect(
                "127.0.0.1:" + gateway.port(),
                TOKEN,
                WorkerHello.newBuilder()
                        .setKind("good")
                        .setSlots(1)
                        .setProtocol(1)
                        .build(),
                (task, progress) -> Map.of("x", 1.0));
        try {
            assertTrue(worker.welcomed().get(20, TimeUnit.SECONDS).startsWith("worker-"));
        } catch (Exception e) {
            throw new AssertionError("a good worker was not welcomed after the fuzzing", e);
        } finally {
            worker.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gateway.connected() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertEquals(0, gateway.connected(), "sessions the gateway did not forget");
    }
}
