package io.archipelago.node.worker;

import io.archipelago.evaluators.SlotGauge;
import io.archipelago.proto.EvaluatorPoolStatus;
import io.archipelago.proto.GatewayMessage;
import io.archipelago.proto.WorkerGatewayGrpc;
import io.archipelago.proto.WorkerMessage;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluator gateway of a node: a gRPC server ({@code WorkerGateway} of worker.proto) that
 * users' worker processes dial. Each connection becomes a {@link WorkerSession} actor in the
 * node's actor system, whose slots join the cluster's pool {@code worker:KIND}. Every call must
 * carry the gateway's token ({@link TokenCheck}).
 *
 * <p>The node's coordinated shutdown drains it first: new requests are handed back to their
 * routers, tasks already on a worker finish (for up to {@code archipelago.node.drain-timeout}),
 * then the streams close and the server stops.
 */
public final class WorkerGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerGateway.class);
    private static final String DRAIN_TIMEOUT = "archipelago.node.drain-timeout";

    /**
     * @param host the address to listen on
     * @param port 0 picks a free one ({@link #port()} says which)
     * @param token what workers must present ({@code authorization: Bearer TOKEN})
     * @param heartbeat how often workers must say something; three silent periods end a session
     * @param tlsCertificate the gateway's certificate chain (PEM): with its key, workers must dial
     *     with TLS (null: plaintext, for a network only the cluster reaches)
     * @param tlsKey the certificate's private key (PKCS#8 PEM)
     */
    public record Settings(
            String host,
            int port,
            String token,
            Duration heartbeat,
            java.nio.file.Path tlsCertificate,
            java.nio.file.Path tlsKey) {
        public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);

        /** A plaintext gateway. */
        public Settings(String host, int port, String token, Duration heartbeat) {
            this(host, port, token, heartbeat, null, null);
        }

        public Settings {
            if ((tlsCertificate == null) != (tlsKey == null)) {
                throw new IllegalArgumentException("--worker-tls-cert and --worker-tls-key go together");
            }
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("--worker-port must be 0..65535, got " + port);
            }
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("the worker gateway needs a token");
            }
            if (heartbeat.isNegative() || heartbeat.isZero()) {
                throw new IllegalArgumentException("the heartbeat period must be > 0, got " + heartbeat);
            }
        }
    }

    /** What a worker kind may be: it becomes part of a pool's name and of command lines. */
    public static final java.util.regex.Pattern KIND = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** Why the gateway would refuse {@code hello} (INVALID_ARGUMENT), or null: a worker can check before it dials. */
    public static String problemWith(io.archipelago.proto.WorkerHello hello) {
        return WorkerSession.check(hello);
    }

    private final ActorSystem<?> system;
    private final Settings settings;
    private final Server server;
    private final SlotGauge gauge = new SlotGauge();
    private int port;
    private final AtomicLong sessions = new AtomicLong();
    private final Map<String, ActorRef<WorkerSession.Command>> live = new ConcurrentHashMap<>();
    private final Map<String, WorkerSession.Load> loads = new ConcurrentHashMap<>();

    private WorkerGateway(ActorSystem<?> system, Settings settings) {
        this.system = system;
        this.settings = settings;
        this.server = NettyServerBuilder.forAddress(
                        new InetSocketAddress(settings.host(), settings.port()), credentials(settings))
                // the service only hands messages to actors: it never blocks gRPC's threads
                .directExecutor()
                .addService(ServerInterceptors.intercept(new Service(), new TokenCheck(settings.token())))
                .build();
    }

    private static io.grpc.ServerCredentials credentials(Settings settings) {
        if (settings.tlsCertificate() == null) {
            return io.grpc.InsecureServerCredentials.create();
        }
        try {
            return io.grpc.TlsServerCredentials.create(
                    settings.tlsCertificate().toFile(), settings.tlsKey().toFile());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--worker-tls-cert " + settings.tlsCertificate() + " / --worker-tls-key " + settings.tlsKey()
                            + " cannot be used: " + e.getMessage(),
                    e);
        }
    }

    /**
     * Starts listening; the caller closes it (a search, when it ends), or {@link #drainOnShutdown()}
     * leaves that to the node's coordinated shutdown.
     *
     * @throws IllegalArgumentException when the port cannot be bound (naming it)
     */
    public static WorkerGateway start(ActorSystem<?> system, Settings settings) {
        WorkerGateway gateway = new WorkerGateway(system, settings);
        try {
            gateway.server.start();
            gateway.port = gateway.server.getPort();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--worker-port " + settings.port() + " on " + settings.host() + " cannot be opened: "
                            + e.getMessage(),
                    e);
        }
        return gateway;
    }

    /** A long-lived node: its coordinated shutdown drains the workers, then stops the gateway. */
    public WorkerGateway drainOnShutdown() {
        CoordinatedShutdown.get(system)
                .addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "drain-workers", this::drain);
        return this;
    }

    /** The port workers dial. */
    public int port() {
        return port;
    }

    /** The gateway's tasks: how many run now, how many have ended. */
    public SlotGauge gauge() {
        return gauge;
    }

    /** The pools its workers form now, one line per kind (for {@code cluster status}). */
    public List<EvaluatorPoolStatus> pools() {
        Map<String, int[]> byKind = new java.util.TreeMap<>();
        for (WorkerSession.Load load : loads.values()) {
            int[] line = byKind.computeIfAbsent(load.kind(), k -> new int[2]);
            line[0] += load.slots();
            line[1] += load.busy().get();
        }
        List<EvaluatorPoolStatus> pools = new java.util.ArrayList<>();
        byKind.forEach((kind, line) -> pools.add(EvaluatorPoolStatus.newBuilder()
                .setKind(kind)
                .setSlots(line[0])
                .setBusy(line[1])
                .build()));
        return pools;
    }

    /** Workers connected now (having said hello or not). */
    public int connected() {
        return live.size();
    }

    private CompletableFuture<Done> drain() {
        Duration timeout = system.settings().config().getDuration(DRAIN_TIMEOUT);
        gauge.startDraining();
        live.values().forEach(session -> session.tell(WorkerSession.Drain.INSTANCE));
        return CompletableFuture.supplyAsync(
                () -> {
                    long deadline = System.nanoTime() + timeout.toNanos();
                    try {
                        while (gauge.busy() > 0 && System.nanoTime() < deadline) {
                            Thread.sleep(20);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    close();
                    return Done.getInstance();
                },
                task -> {
                    Thread thread = new Thread(task, "archipelago-drain-workers");
                    thread.setDaemon(true);
                    thread.start();
                });
    }

    /**
     * Stops the server: idle workers are told the gateway is gone (UNAVAILABLE, so they dial again
     * later); a stream still busy after 2 s breaks, and its tasks fail over.
     */
    @Override
    public void close() {
        gauge.startDraining();
        live.values().forEach(session -> session.tell(WorkerSession.Drain.INSTANCE)); // idle ones say goodbye
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.info("worker gateway on {}:{} stopped", settings.host(), port);
    }

    private final class Service extends WorkerGatewayGrpc.WorkerGatewayImplBase {
        @Override
        public StreamObserver<WorkerMessage> connect(StreamObserver<GatewayMessage> toWorker) {
            String id = "worker-" + sessions.incrementAndGet();
            if (gauge.draining()) {
                toWorker.onError(Status.UNAVAILABLE
                        .withDescription("this gateway is shutting down")
                        .asRuntimeException());
                return new Ignored();
            }
            ActorRef<WorkerSession.Command> session = system.systemActorOf(
                    WorkerSession.create(id, toWorker, settings.heartbeat(), gauge, loads, () -> live.remove(id)),
                    id,
                    Props.empty());
            live.put(id, session);
            // a cancel (the worker's connection broke) reaches the session at once, not at its next write
            ((io.grpc.stub.ServerCallStreamObserver<GatewayMessage>) toWorker)
                    .setOnCancelHandler(
                            () -> session.tell(new WorkerSession.StreamEnded("connection lost (CANCELLED)")));
            return new StreamObserver<>() {
                @Override
                public void onNext(WorkerMessage message) {
                    session.tell(new WorkerSession.FromWorker(message));
                }

                @Override
                public void onError(Throwable t) {
                    session.tell(new WorkerSession.StreamEnded(
                            "connection lost (" + Status.fromThrowable(t).getCode() + ")"));
                }

                @Override
                public void onCompleted() {
                    session.tell(new WorkerSession.StreamEnded("the worker closed its stream"));
                }
            };
        }
    }

    private static final class Ignored implements StreamObserver<WorkerMessage> {
        @Override
        public void onNext(WorkerMessage value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }
}
