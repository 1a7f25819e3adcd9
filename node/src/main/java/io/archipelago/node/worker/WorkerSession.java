package io.archipelago.node.worker;

import io.archipelago.evaluators.Evaluation;
import io.archipelago.evaluators.EvaluatorActor;
import io.archipelago.evaluators.SlotGauge;
import io.archipelago.proto.CancelTask;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.GatewayMessage;
import io.archipelago.proto.IntermediateResult;
import io.archipelago.proto.StopEvaluation;
import io.archipelago.proto.Task;
import io.archipelago.proto.TaskProgress;
import io.archipelago.proto.TaskResult;
import io.archipelago.proto.WorkerHello;
import io.archipelago.proto.WorkerMessage;
import io.archipelago.proto.WorkerWelcome;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * One connected worker: the gateway's side of its {@code Connect} stream. After the worker's hello
 * it spawns one slot actor per declared slot, registered in the Receptionist as evaluators of kind
 * {@code worker:KIND}, so routers on any node give them work as they give a node's own slots. A
 * request reaching a slot becomes a {@link Task} on the stream; the worker's {@link TaskProgress}
 * points become the result's learning curve and its {@link TaskResult} the
 * {@link EvaluationResult} sent to the router.
 *
 * <p>When the stream ends (the worker closed it, its connection broke, or it fell silent for three
 * heartbeat periods) every task it had is answered as failed, naming the worker, and its slots
 * leave the Receptionist: the router retries those candidates elsewhere under a new attempt
 * number, so an answer the worker might still send is dropped. For {@link #WITHDRAW_GRACE} the
 * slots hand back what still reaches them (no attempt spent), then the session stops.
 */
final class WorkerSession extends AbstractBehavior<WorkerSession.Command> {
    /** The protocol version this gateway speaks (WorkerHello.protocol). */
    static final int PROTOCOL = 1;
    /** Slots one worker may declare: a bound on what one stream can hold in flight. */
    static final int MAX_SLOTS = 1024;
    /** The pool kind of a worker that declared {@code kind}: a namespace apart from the built-in evaluators. */
    static final String KIND_PREFIX = "worker:";

    /** Silence longer than this many heartbeat periods ends the session. */
    private static final int MISSED_HEARTBEATS = 3;

    sealed interface Command {}

    /** A message the worker sent (from gRPC's thread). */
    record FromWorker(WorkerMessage message) implements Command {}

    /** The worker's side of the stream ended: completed, cancelled or broken. */
    record StreamEnded(String why) implements Command {}

    /** The gateway is shutting down: hand new requests back, let running tasks finish. */
    enum Drain implements Command {
        INSTANCE
    }

    private record SlotRequest(int slot, EvaluationRequest request) implements Command {}

    /** A router's stop for the evaluation a slot runs. */
    private record SlotStop(StopEvaluation stop) implements Command {}

    private enum CheckSilence implements Command {
        INSTANCE
    }

    /** The slots have left the Receptionist long enough ago: stop. */
    private enum Stop implements Command {
        INSTANCE
    }

    /**
     * How long an ended session's slots stay, answering HANDED_BACK: routers that have not yet
     * seen them leave the Receptionist (a cluster's listing takes a moment) give such requests to
     * another slot without spending an attempt, instead of losing them to a stopped actor.
     */
    static final Duration WITHDRAW_GRACE = Duration.ofSeconds(5);

    /** A task on the worker: the request it answers and its learning curve so far. */
    private static final class Running {
        final long taskId;
        final EvaluationRequest request;
        final int slot;
        final ActorRef<IntermediateResult> progressTo; // null: nobody follows the curve
        final long startNanos = System.nanoTime();
        final java.util.List<IntermediateResult> curve = new java.util.ArrayList<>();
        boolean stopped;

        Running(long taskId, EvaluationRequest request, int slot, ActorRef<IntermediateResult> progressTo) {
            this.taskId = taskId;
            this.request = request;
            this.slot = slot;
            this.progressTo = progressTo;
        }
    }

    private final String id;
    private final StreamObserver<GatewayMessage> toWorker;
    private final Duration heartbeat;
    private final SlotGauge gauge;
    private final Runnable onEnd;
    private final TimerScheduler<Command> timers;
    private final java.util.List<ActorRef<EvaluationRequest>> slots = new java.util.ArrayList<>();
    private final Map<String, Load> loads;
    private Load load; // null until the hello
    private final ActorRefResolver resolver;
    private final Map<Long, Running> running = new HashMap<>();
    // Requests of one search come from one router: remember its resolved reference.
    private String lastReplyTo;
    private ActorRef<EvaluationResult> lastReplyRef;
    private long lastHeardNanos = System.nanoTime();
    private long nextTaskId = 1;
    private WorkerHello hello; // null until the worker said hello
    private String kind;
    private String address;
    private boolean draining;
    private boolean closed;

    /** What a worker offers, for the node's status: its pool, slots, and tasks running now. */
    record Load(String kind, int slots, java.util.concurrent.atomic.AtomicInteger busy) {}

    /**
     * @param loads where the session shows its {@link Load} while it serves (keyed by its id)
     * @param onEnd runs once the session has ended (the gateway forgets it)
     */
    static Behavior<Command> create(
            String id,
            StreamObserver<GatewayMessage> toWorker,
            Duration heartbeat,
            SlotGauge gauge,
            Map<String, Load> loads,
            Runnable onEnd) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(CheckSilence.INSTANCE, heartbeat);
            return new WorkerSession(context, timers, id, toWorker, heartbeat, gauge, loads, onEnd);
        }));
    }

    private WorkerSession(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            String id,
            StreamObserver<GatewayMessage> toWorker,
            Duration heartbeat,
            SlotGauge gauge,
            Map<String, Load> loads,
            Runnable onEnd) {
        super(context);
        this.timers = timers;
        this.loads = loads;
        this.onEnd = onEnd;
        this.id = id;
        this.toWorker = toWorker;
        this.heartbeat = heartbeat;
        this.gauge = gauge;
        this.resolver = ActorRefResolver.get(context.getSystem());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(FromWorker.class, m -> onMessage(m.message()))
                .onMessage(SlotRequest.class, this::onRequest)
                .onMessage(SlotStop.class, this::onStop)
                .onMessage(StreamEnded.class, m -> end(m.why(), null))
                .onMessageEquals(CheckSilence.INSTANCE, this::onCheckSilence)
                .onMessageEquals(Drain.INSTANCE, this::onDrain)
                .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                .build();
    }

    private Behavior<Command> onMessage(WorkerMessage message) {
        if (closed) {
            return this; // what a worker sends after its session ended answers nothing
        }
        lastHeardNanos = System.nanoTime();
        return switch (message.getMessageCase()) {
            case HELLO -> onHello(message.getHello());
            case PROGRESS -> onProgress(message.getProgress());
            case RESULT -> onResult(message.getResult());
            case HEARTBEAT -> this;
            case MESSAGE_NOT_SET -> refuse(Status.INVALID_ARGUMENT.withDescription("empty WorkerMessage"));
        };
    }

    private Behavior<Command> onHello(WorkerHello message) {
        if (hello != null) {
            return refuse(Status.INVALID_ARGUMENT.withDescription("a second WorkerHello on one stream"));
        }
        String problem = check(message);
        if (problem != null) {
            return refuse(Status.INVALID_ARGUMENT.withDescription(problem));
        }
        hello = message;
        kind = KIND_PREFIX + message.getKind();
        load = new Load(kind, message.getSlots(), new java.util.concurrent.atomic.AtomicInteger());
        loads.put(id, load);
        address = getContext().getSystem().address().hostPort();
        for (int slot = 0; slot < message.getSlots(); slot++) {
            slots.add(getContext()
                    .spawn(slot(getContext().getSelf(), slot, kind), "slot-" + slot)
                    .narrow());
        }
        send(GatewayMessage.newBuilder()
                .setWelcome(
                        WorkerWelcome.newBuilder().setWorkerId(id).setHeartbeatSeconds(heartbeat.toMillis() / 1000.0))
                .build());
        getContext()
                .getLog()
                .info("worker {} ({}) joined with {} {} slot(s)", id, message.getName(), message.getSlots(), kind);
        return this;
    }

    /** Why {@code hello} is refused, or null. */
    static String check(WorkerHello hello) {
        if (hello.getProtocol() != PROTOCOL) {
            return "worker protocol " + hello.getProtocol() + " is not spoken here (this gateway speaks " + PROTOCOL
                    + ")";
        }
        if (!WorkerGateway.KIND.matcher(hello.getKind()).matches()) {
            return "kind '" + hello.getKind() + "' is not 1-64 of a-z 0-9 . _ - (starting with a letter or digit)";
        }
        if (hello.getSlots() < 1 || hello.getSlots() > MAX_SLOTS) {
            return "slots must be 1.." + MAX_SLOTS + ", got " + hello.getSlots();
        }
        return null;
    }

    /** A slot: forwards its requests (and stops) to the session, which runs them on the worker. */
    private static Behavior<Object> slot(ActorRef<Command> session, int slot, String kind) {
        return Behaviors.setup(context -> {
            context.getSystem()
                    .receptionist()
                    .tell(Receptionist.register(
                            EvaluatorActor.serviceKey(kind), context.getSelf().narrow()));
            return Behaviors.receive(Object.class)
                    .onMessage(EvaluationRequest.class, request -> {
                        session.tell(new SlotRequest(slot, request));
                        return Behaviors.same();
                    })
                    .onMessage(StopEvaluation.class, stop -> {
                        session.tell(new SlotStop(stop));
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** A scheduler gave up on a task: the worker is asked to end it and answer with what it has. */
    private Behavior<Command> onStop(SlotStop slotStop) {
        StopEvaluation stop = slotStop.stop();
        for (Running task : running.values()) {
            Candidate candidate = task.request.getCandidate();
            if (!task.stopped
                    && candidate.getCandidateId() == stop.getCandidateId()
                    && task.request.getAttempt() == stop.getAttempt()
                    && candidate.getSearchId().equals(stop.getSearchId())) {
                task.stopped = true;
                send(GatewayMessage.newBuilder()
                        .setCancel(
                                CancelTask.newBuilder().setTaskId(task.taskId).setReason(stop.getReason()))
                        .build());
            }
        }
        return this;
    }

    private Behavior<Command> onRequest(SlotRequest slotRequest) {
        EvaluationRequest request = slotRequest.request();
        if (draining || closed) {
            reply(
                    request,
                    result(request, slotRequest.slot())
                            .setStatus(EvaluationStatus.EVALUATION_STATUS_HANDED_BACK)
                            .setFailureReason("worker gateway is draining"));
            return this;
        }
        long taskId = nextTaskId++;
        ActorRef<IntermediateResult> progressTo = request.getProgressTo().isEmpty()
                ? null
                : resolver.<IntermediateResult>resolveActorRef(request.getProgressTo());
        running.put(taskId, new Running(taskId, request, slotRequest.slot(), progressTo));
        gauge.started();
        load.busy().incrementAndGet();
        send(GatewayMessage.newBuilder()
                .setTask(Task.newBuilder()
                        .setTaskId(taskId)
                        .setCandidate(request.getCandidate())
                        .setAttempt(request.getAttempt()))
                .build());
        return this;
    }

    private Behavior<Command> onProgress(TaskProgress progress) {
        Running task = running.get(progress.getTaskId());
        if (task == null) {
            return this; // a task already answered or failed over: nobody follows it any more
        }
        int last =
                task.curve.isEmpty() ? 0 : task.curve.get(task.curve.size() - 1).getStep();
        if (progress.getStep() <= last) {
            getContext()
                    .getLog()
                    .warn(
                            "worker {}: task {} reported step {} after step {}; ignored",
                            id,
                            progress.getTaskId(),
                            progress.getStep(),
                            last);
            return this;
        }
        Candidate candidate = task.request.getCandidate();
        IntermediateResult point = IntermediateResult.newBuilder()
                .setSearchId(candidate.getSearchId())
                .setCandidateId(candidate.getCandidateId())
                .setEvaluatorKind(candidate.getEvaluatorKind())
                .setAttempt(task.request.getAttempt())
                .setStep(progress.getStep())
                .putAllMetrics(progress.getMetricsMap())
                .setElapsedSeconds(seconds(task.startNanos))
                .build();
        task.curve.add(point);
        if (task.progressTo != null) {
            task.progressTo.tell(point);
        }
        return this;
    }

    private Behavior<Command> onResult(TaskResult answer) {
        Running task = running.remove(answer.getTaskId());
        if (task == null) {
            return this;
        }
        String failure =
                answer.getFailureReason().isEmpty() ? checkMetrics(answer.getMetricsMap()) : answer.getFailureReason();
        finish(task, answer.getMetricsMap(), answer.getLabelsMap(), failure);
        return draining && running.isEmpty()
                ? end("drained", Status.UNAVAILABLE.withDescription("gateway shut down"))
                : this;
    }

    /**
     * Answers the router for {@code task}: with {@code metrics}, or {@code failure} (non-null). A
     * task a scheduler stopped answers with its last step's metrics, whatever the worker said (or
     * if it left).
     */
    private void finish(Running task, Map<String, Double> metrics, Map<String, String> labels, String failure) {
        gauge.ended();
        load.busy().decrementAndGet();
        EvaluationResult.Builder result = result(task.request, task.slot)
                .setCostSeconds(seconds(task.startNanos))
                .addAllIntermediates(task.curve)
                .putAllLabels(hello.getLabelsMap())
                .putAllLabels(labels)
                .putLabels("worker", hello.getName().isEmpty() ? id : hello.getName());
        if (task.stopped && !task.curve.isEmpty()) {
            IntermediateResult last = task.curve.get(task.curve.size() - 1);
            result.setStatus(EvaluationStatus.EVALUATION_STATUS_OK)
                    .putAllMetrics(last.getMetricsMap())
                    .putLabels(Evaluation.STOPPED_AT_STEP, Integer.toString(last.getStep()));
        } else if (failure == null) {
            result.setStatus(EvaluationStatus.EVALUATION_STATUS_OK).putAllMetrics(metrics);
        } else {
            result.setStatus(EvaluationStatus.EVALUATION_STATUS_FAILED).setFailureReason(failure);
        }
        reply(task.request, result);
    }

    /** Why a successful answer's metrics are unusable, or null. */
    private static String checkMetrics(Map<String, Double> metrics) {
        if (metrics.isEmpty()) {
            return "the worker reported success without metrics";
        }
        for (Map.Entry<String, Double> metric : metrics.entrySet()) {
            if (!Double.isFinite(metric.getValue())) {
                return "the worker reported " + metric.getKey() + " = " + metric.getValue() + " (not a finite number)";
            }
        }
        return null;
    }

    private Behavior<Command> onCheckSilence() {
        if (closed) {
            return this;
        }
        long silentNanos = System.nanoTime() - lastHeardNanos;
        if (silentNanos > heartbeat.toNanos() * MISSED_HEARTBEATS) {
            String why = String.format(
                    java.util.Locale.ROOT,
                    "no message for %.1f s (heartbeat every %.1f s)",
                    silentNanos / 1e9,
                    heartbeat.toMillis() / 1000.0);
            return end(why, Status.DEADLINE_EXCEEDED.withDescription(why));
        }
        return this;
    }

    private Behavior<Command> onDrain() {
        if (closed) {
            return this;
        }
        draining = true;
        return running.isEmpty() ? end("drained", Status.UNAVAILABLE.withDescription("gateway shut down")) : this;
    }

    private Behavior<Command> refuse(Status status) {
        getContext().getLog().warn("worker {} refused: {}", id, status.getDescription());
        return end(status.getDescription(), status);
    }

    /**
     * Fails what the worker still had, closes the stream (with {@code status}, unless the worker
     * ended it) and stops, taking the slots out of the Receptionist with it.
     */
    private Behavior<Command> end(String why, Status status) {
        if (closed) {
            return this;
        }
        for (Running task : running.values()) {
            finish(task, Map.of(), Map.of(), "worker " + describe() + " left mid-evaluation: " + why);
        }
        running.clear();
        closed = true;
        try {
            if (status == null) {
                toWorker.onCompleted();
            } else {
                toWorker.onError(status.asRuntimeException());
            }
        } catch (RuntimeException alreadyClosed) {
            // the call is already over (the worker cancelled it): nothing to tell
        }
        if (hello != null) {
            getContext().getLog().info("worker {} left: {}", describe(), why);
        }
        loads.remove(id);
        onEnd.run();
        for (ActorRef<EvaluationRequest> slot : slots) {
            getContext()
                    .getSystem()
                    .receptionist()
                    .tell(Receptionist.deregister(EvaluatorActor.serviceKey(kind), slot));
        }
        if (slots.isEmpty()) {
            return Behaviors.stopped();
        }
        timers.cancel(CheckSilence.INSTANCE);
        timers.startSingleTimer(Stop.INSTANCE, WITHDRAW_GRACE);
        return this;
    }

    private String describe() {
        return hello == null || hello.getName().isEmpty() ? id : id + " (" + hello.getName() + ")";
    }

    private EvaluationResult.Builder result(EvaluationRequest request, int slot) {
        Candidate candidate = request.getCandidate();
        return EvaluationResult.newBuilder()
                .setSearchId(candidate.getSearchId())
                .setCandidateId(candidate.getCandidateId())
                .setArchitecture(candidate.getArchitecture())
                .setEvaluatorKind(candidate.getEvaluatorKind())
                .setAttempt(request.getAttempt())
                .setEvaluator(kind + "@" + address + "/" + id + "/" + slot);
    }

    private void reply(EvaluationRequest request, EvaluationResult.Builder result) {
        if (!request.getReplyTo().equals(lastReplyTo)) {
            lastReplyRef = resolver.resolveActorRef(request.getReplyTo());
            lastReplyTo = request.getReplyTo();
        }
        lastReplyRef.tell(result.build());
    }

    private void send(GatewayMessage message) {
        if (!closed) {
            try {
                toWorker.onNext(message);
            } catch (RuntimeException cancelled) {
                // the worker's call ended before this actor heard of it: end the session as its stream would
                getContext()
                        .getSelf()
                        .tell(new StreamEnded("connection lost ("
                                + Status.fromThrowable(cancelled).getCode() + ")"));
            }
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
