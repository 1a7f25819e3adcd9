package io.archipelago.evaluators;

import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.IntermediateResult;
import io.archipelago.proto.StopEvaluation;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.slf4j.LoggerFactory;

/**
 * One evaluator slot: runs an {@link Evaluator} for one request at a time and answers with an
 * {@link EvaluationResult}. Its protocol is the wire messages {@link EvaluationRequest} and
 * {@link StopEvaluation} themselves, so the same actor serves local and remote routers. It must be
 * spawned on {@link #DISPATCHER}: an evaluation nobody follows runs on the slot's own thread there
 * (no hand-off: the fast path); one a scheduler follows runs on another thread of that dispatcher
 * (size it at twice the slots), so the slot stays responsive and a stop reaches the evaluation at
 * its next reported step.
 *
 * <p>It registers under {@link #serviceKey(String)} of its evaluator kind with the Receptionist;
 * routers find pools there. Whatever an evaluator throws (an error too) becomes a failed result
 * with the reason; a failure of the actor itself restarts it (the router's deadline then
 * re-dispatches the candidate). Requests that arrive while one runs wait their turn. Each
 * step the evaluator reports goes to the request's {@code progress_to} as an
 * {@link IntermediateResult} as it is measured, and with the result.
 *
 * <p>Once its node's {@link SlotGauge} is draining, a request is answered at once with
 * {@code EVALUATION_STATUS_HANDED_BACK}, so the router gives the candidate to another node without
 * counting an attempt; the evaluation running when draining began finishes normally.
 */
public final class EvaluatorActor extends AbstractBehavior<Object> {
    /** Dedicated thread pool for blocking evaluations (see reference.conf). */
    public static final String DISPATCHER = "archipelago.evaluator-dispatcher";

    private final Evaluator evaluator;
    private final SlotGauge gauge;
    private final String name;
    private final ActorRefResolver resolver;
    private final Executor evaluations;
    /** This kind's duration timer on this node (resolved once: the fast path records without a look-up). */
    private final io.micrometer.core.instrument.Timer duration;
    // Requests of one search come from one router: remember its resolved references.
    private String lastReplyTo;
    private ActorRef<EvaluationResult> lastReplyRef;
    private String lastProgressTo;
    private ActorRef<IntermediateResult> lastProgressRef;
    /** The evaluation running now (null: idle). */
    private Running running;
    /** Requests that came while one ran, in order. */
    private final java.util.ArrayDeque<EvaluationRequest> waiting = new java.util.ArrayDeque<>();

    /** The evaluation of one request, and whether a stop has been asked of it. */
    private record Running(EvaluationRequest request, AtomicBoolean stop) {}

    private record Finished(EvaluationRequest request, EvaluationResult result) {}

    public static ServiceKey<EvaluationRequest> serviceKey(String kind) {
        return ServiceKey.create(EvaluationRequest.class, "evaluator-" + kind);
    }

    public static DispatcherSelector dispatcher() {
        return DispatcherSelector.fromConfig(DISPATCHER);
    }

    /**
     * A slot's reference as the router holds it, widened to take a {@link StopEvaluation} too
     * (every slot, this actor's or a worker gateway's, takes both).
     */
    public static ActorRef<Object> control(ActorRef<EvaluationRequest> slot) {
        return slot.unsafeUpcast();
    }

    public static Behavior<EvaluationRequest> create(Evaluator evaluator) {
        return create(evaluator, new SlotGauge());
    }

    /** A slot that reports to (and drains with) its node's {@code gauge}. */
    public static Behavior<EvaluationRequest> create(Evaluator evaluator, SlotGauge gauge) {
        return Behaviors.supervise(Behaviors.<Object>setup(context -> new EvaluatorActor(context, evaluator, gauge)))
                .onFailure(SupervisorStrategy.restart())
                .narrow();
    }

    private EvaluatorActor(ActorContext<Object> context, Evaluator evaluator, SlotGauge gauge) {
        super(context);
        this.evaluator = evaluator;
        this.gauge = gauge;
        this.name = evaluator.kind() + "@" + context.getSystem().address().hostPort() + "/"
                + context.getSelf().path().name();
        this.resolver = ActorRefResolver.get(context.getSystem());
        this.evaluations = context.getSystem().dispatchers().lookup(dispatcher());
        ActorRef<EvaluationRequest> self = context.getSelf().narrow();
        NodeMeters.Slots meters = NodeMeters.get(context.getSystem()).slots(evaluator.kind());
        meters.add(self, gauge);
        this.duration = meters.duration;
        context.getSystem().receptionist().tell(Receptionist.register(serviceKey(evaluator.kind()), self));
    }

    @Override
    public Receive<Object> createReceive() {
        return newReceiveBuilder()
                .onMessage(EvaluationRequest.class, this::onRequest)
                .onMessage(StopEvaluation.class, this::onStop)
                .onMessage(Finished.class, this::onFinished)
                .build();
    }

    private Behavior<Object> onRequest(EvaluationRequest request) {
        waiting.add(request); // a router sends one at a time; others (tests, a stale router) wait their turn
        pump();
        return this;
    }

    /**
     * Starts what waits, in order, while no followed evaluation runs. An evaluation nobody follows
     * (no {@code progress_to}: nothing can stop it) runs right here, on this slot's thread of the
     * evaluator dispatcher, without a hand-off: the throughput path. A followed one runs on
     * another thread of that dispatcher, so that this slot stays free to pass it a stop.
     */
    private void pump() {
        for (EvaluationRequest next; running == null && (next = waiting.poll()) != null; ) {
            if (gauge.draining()) {
                replyTo(next.getReplyTo())
                        .tell(result(next)
                                .setStatus(EvaluationStatus.EVALUATION_STATUS_HANDED_BACK)
                                .setFailureReason("node is draining")
                                .build());
                continue;
            }
            gauge.started();
            if (next.getProgressTo().isEmpty()) {
                EvaluationResult result;
                try {
                    result = evaluate(next, null, null);
                } catch (Throwable unexpected) { // e.g. a checked exception thrown sneakily: it fails this candidate
                    result = failed(result(next), describe(unexpected), System.nanoTime());
                }
                finish(next, result);
                continue;
            }
            EvaluationRequest request = next;
            Running run = new Running(request, new AtomicBoolean());
            running = run;
            ActorRef<IntermediateResult> progressTo = progressTo(request.getProgressTo());
            getContext()
                    .pipeToSelf(
                            CompletableFuture.supplyAsync(() -> evaluate(request, run.stop(), progressTo), evaluations),
                            (result, error) -> new Finished(
                                    request,
                                    error == null
                                            ? result
                                            : failed(result(request), describe(error), System.nanoTime())));
        }
    }

    private Behavior<Object> onStop(StopEvaluation stop) {
        Running run = running;
        if (run != null
                && run.request().getAttempt() == stop.getAttempt()
                && run.request().getCandidate().getCandidateId() == stop.getCandidateId()
                && run.request().getCandidate().getSearchId().equals(stop.getSearchId())) {
            run.stop().set(true);
        }
        return this;
    }

    private Behavior<Object> onFinished(Finished finished) {
        running = null;
        finish(finished.request(), finished.result());
        pump();
        return this;
    }

    private void finish(EvaluationRequest request, EvaluationResult result) {
        gauge.ended();
        replyTo(request.getReplyTo()).tell(result);
    }

    /**
     * On the evaluator dispatcher: runs the evaluation, reporting its steps to {@code progressTo}
     * as they come and stopping once {@code stop} is set (both null: nobody follows it).
     */
    private EvaluationResult evaluate(
            EvaluationRequest request, AtomicBoolean stop, ActorRef<IntermediateResult> progressTo) {
        Candidate candidate = request.getCandidate();
        EvaluationResult.Builder result = result(request);
        long start = System.nanoTime();
        // Nobody follows (no scheduler): the evaluator needs no curve of its own, and nothing can stop it.
        Progress progress = progressTo == null
                ? Progress.IGNORED
                : new Progress() {
                    @Override
                    public boolean report(int step, Map<String, Double> metrics) {
                        progressTo.tell(IntermediateResult.newBuilder()
                                .setSearchId(candidate.getSearchId())
                                .setCandidateId(candidate.getCandidateId())
                                .setEvaluatorKind(candidate.getEvaluatorKind())
                                .setAttempt(request.getAttempt())
                                .setStep(step)
                                .putAllMetrics(metrics)
                                .setElapsedSeconds((System.nanoTime() - start) / 1e9)
                                .build());
                        return !stop.get();
                    }

                    @Override
                    public boolean stopRequested() {
                        return stop.get();
                    }
                };
        try {
            Evaluation evaluation = evaluator.evaluate(candidate.getArchitecture(), candidate.getFidelity(), progress);
            result.setStatus(EvaluationStatus.EVALUATION_STATUS_OK)
                    .putAllMetrics(evaluation.metrics())
                    .putAllLabels(evaluation.labels())
                    .setCostSeconds(evaluation.costSeconds());
            for (Evaluation.Intermediate point : evaluation.intermediates()) {
                result.addIntermediates(IntermediateResult.newBuilder()
                        .setSearchId(candidate.getSearchId())
                        .setCandidateId(candidate.getCandidateId())
                        .setAttempt(request.getAttempt())
                        .setStep(point.step())
                        .putAllMetrics(point.metrics())
                        .setElapsedSeconds(point.elapsedSeconds()));
            }
            return result.build();
        } catch (EvaluationException e) {
            return failed(result, e.getMessage(), start);
        } catch (RuntimeException e) {
            // A bug in an evaluator fails this candidate, not the slot.
            LoggerFactory.getLogger(EvaluatorActor.class)
                    .warn(
                            "evaluator {} threw on {}",
                            name,
                            candidate.getArchitecture().getEncoding(),
                            e);
            return failed(result, e.getClass().getSimpleName() + ": " + e.getMessage(), start);
        } finally {
            duration.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private EvaluationResult.Builder result(EvaluationRequest request) {
        Candidate candidate = request.getCandidate();
        return EvaluationResult.newBuilder()
                .setSearchId(candidate.getSearchId())
                .setCandidateId(candidate.getCandidateId())
                .setArchitecture(candidate.getArchitecture())
                .setEvaluator(name)
                .setEvaluatorKind(candidate.getEvaluatorKind())
                .setAttempt(request.getAttempt());
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static EvaluationResult failed(EvaluationResult.Builder result, String reason, long start) {
        return result.setStatus(EvaluationStatus.EVALUATION_STATUS_FAILED)
                .setFailureReason(reason == null ? "unknown" : reason)
                .setCostSeconds(Math.max(0, (System.nanoTime() - start) / 1e9))
                .build();
    }

    private ActorRef<EvaluationResult> replyTo(String serialized) {
        if (!serialized.equals(lastReplyTo)) {
            lastReplyRef = resolver.resolveActorRef(serialized);
            lastReplyTo = serialized;
        }
        return lastReplyRef;
    }

    private ActorRef<IntermediateResult> progressTo(String serialized) {
        if (!serialized.equals(lastProgressTo)) {
            lastProgressRef = resolver.resolveActorRef(serialized);
            lastProgressTo = serialized;
        }
        return lastProgressRef;
    }
}
