package io.archipelago.node.worker;

import io.archipelago.proto.GatewayMessage;
import io.archipelago.proto.Heartbeat;
import io.archipelago.proto.Task;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker written in Java: serves one gateway stream with a {@link Handler} on {@code slots}
 * threads. The Python client ({@code clients/python}) is what users run; this one drives the
 * protocol's tests and {@code bench worker-throughput --language java}.
 */
public final class WorkerClient implements AutoCloseable {

    /** Evaluates one task; may report progress and should end early once {@code cancelled()} is true. */
    public interface Handler {
        Map<String, Double> evaluate(Task task, Progress progress) throws Exception;
    }

    public interface Progress {
        void report(int step, Map<String, Double> metrics);

        boolean cancelled();
    }

    private final ManagedChannel channel;
    private final ExecutorService slots;
    private final ScheduledExecutorService heartbeats;
    private final Handler handler;
    private final StreamObserver<WorkerMessage> toGateway;
    private final Set<Long> cancelled = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<String> welcomed = new CompletableFuture<>();
    private final CompletableFuture<Status> ended = new CompletableFuture<>();

    private WorkerClient(String target, String token, java.nio.file.Path tlsCa, WorkerHello hello, Handler handler) {
        this.handler = handler;
        this.channel = NettyChannelBuilder.forTarget(target, credentials(tlsCa)).build();
        this.slots = Executors.newFixedThreadPool(Math.max(1, hello.getSlots()), daemon("worker-slot"));
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("worker-heartbeat"));
        Metadata headers = new Metadata();
        if (token != null) {
            headers.put(TokenCheck.AUTHORIZATION, TokenCheck.SCHEME + token);
        }
        this.toGateway = WorkerGatewayGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .connect(new FromGateway());
        send(WorkerMessage.newBuilder().setHello(hello).build());
    }

    /**
     * Dials {@code target} ({@code host:port}) and serves until {@link #close()} or the gateway
     * ends the stream ({@link #ended()}).
     *
     * @param token null sends none (to see the gateway refuse it)
     */
    public static WorkerClient connect(String target, String token, WorkerHello hello, Handler handler) {
        return connect(target, token, null, hello, handler);
    }

    /** @param tlsCa the authority that signed the gateway's certificate (PEM): dial with TLS (null: plaintext) */
    public static WorkerClient connect(
            String target, String token, java.nio.file.Path tlsCa, WorkerHello hello, Handler handler) {
        return new WorkerClient(target, token, tlsCa, hello, handler);
    }

    private static io.grpc.ChannelCredentials credentials(java.nio.file.Path tlsCa) {
        if (tlsCa == null) {
            return io.grpc.InsecureChannelCredentials.create();
        }
        try {
            return io.grpc.TlsChannelCredentials.newBuilder()
                    .trustManager(tlsCa.toFile())
                    .build();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--tls-ca " + tlsCa + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Completes with the worker id once the gateway has welcomed this worker. */
    public CompletableFuture<String> welcomed() {
        return welcomed;
    }

    /** Completes with the status the stream ended with (OK when the gateway completed it). */
    public CompletableFuture<Status> ended() {
        return ended;
    }

    private final class FromGateway implements StreamObserver<GatewayMessage> {
        @Override
        public void onNext(GatewayMessage message) {
            switch (message.getMessageCase()) {
                case WELCOME -> {
                    long periodMillis =
                            Math.max(10, (long) (message.getWelcome().getHeartbeatSeconds() * 1000));
                    heartbeats.scheduleAtFixedRate(
                            () -> send(WorkerMessage.newBuilder()
                                    .setHeartbeat(Heartbeat.getDefaultInstance())
                                    .build()),
                            periodMillis,
                            periodMillis,
                            TimeUnit.MILLISECONDS);
                    welcomed.complete(message.getWelcome().getWorkerId());
                }
                case TASK -> slots.execute(() -> run(message.getTask()));
                case CANCEL -> cancelled.add(message.getCancel().getTaskId());
                case MESSAGE_NOT_SET -> {}
            }
        }

        @Override
        public void onError(Throwable t) {
            finish(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            finish(Status.OK);
        }
    }

    private void run(Task task) {
        long id = task.getTaskId();
        TaskResult.Builder result = TaskResult.newBuilder().setTaskId(id);
        try {
            Map<String, Double> metrics = handler.evaluate(task, new Progress() {
                @Override
                public void report(int step, Map<String, Double> metrics) {
                    send(WorkerMessage.newBuilder()
                            .setProgress(TaskProgress.newBuilder()
                                    .setTaskId(id)
                                    .setStep(step)
                                    .putAllMetrics(metrics))
                            .build());
                }

                @Override
                public boolean cancelled() {
                    return cancelled.contains(id);
                }
            });
            result.putAllMetrics(metrics);
        } catch (Exception e) {
            result.setFailureReason(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        cancelled.remove(id);
        send(WorkerMessage.newBuilder().setResult(result).build());
    }

    /** The stream is not thread-safe; slots, heartbeats and the hello take turns on it. */
    private synchronized void send(WorkerMessage message) {
        if (!ended.isDone()) {
            toGateway.onNext(message);
        }
    }

    private void finish(Status status) {
        welcomed.completeExceptionally(status.asRuntimeException());
        ended.complete(status);
        heartbeats.shutdownNow();
    }

    /** Ends the stream and stops the slots (a running task's answer is dropped, as a crash would). */
    @Override
    public void close() {
        synchronized (this) {
            if (!ended.isDone()) {
                try {
                    toGateway.onCompleted();
                } catch (RuntimeException alreadyClosed) {
                    // the gateway ended the call first
                }
            }
            finish(Status.CANCELLED.withDescription("closed by the worker"));
        }
        slots.shutdownNow();
        channel.shutdownNow();
    }

    /** Ends the connection without a word, as a worker killed with -9 does. */
    public void kill() {
        finish(Status.CANCELLED.withDescription("killed"));
        slots.shutdownNow();
        channel.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
