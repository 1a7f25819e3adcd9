package io.archipelago.evaluators;

import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.IntermediateResult;
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

/**
 * One evaluator slot: runs an {@link Evaluator} for one request at a time and answers with an
 * {@link EvaluationResult}. Its protocol is the wire message {@link EvaluationRequest} itself, so the
 * same actor serves local and remote routers. It must be spawned on {@link #DISPATCHER}: the
 * evaluation blocks its thread, which must never be one of the default dispatcher's.
 *
 * <p>It registers under {@link #serviceKey(String)} of its evaluator kind with the Receptionist;
 * routers find pools there. An evaluator's exception becomes a failed result with the reason;
 * anything worse restarts the actor (the router's deadline then re-dispatches the candidate).
 *
 * <p>Once its node's {@link SlotGauge} is draining, a request is answered at once with
 * {@code EVALUATION_STATUS_HANDED_BACK}, so the router gives the candidate to another node without
 * counting an attempt; the evaluation running when draining began finishes normally.
 */
public final class EvaluatorActor extends AbstractBehavior<EvaluationRequest> {
    /** Dedicated thread pool for blocking evaluations (see reference.conf). */
    public static final String DISPATCHER = "archipelago.evaluator-dispatcher";

    private final Evaluator evaluator;
    private final SlotGauge gauge;
    private final String name;
    private final ActorRefResolver resolver;
    // Requests of one search come from one router: remember its resolved reference.
    private String lastReplyTo;
    private ActorRef<EvaluationResult> lastReplyRef;

    public static ServiceKey<EvaluationRequest> serviceKey(String kind) {
        return ServiceKey.create(EvaluationRequest.class, "evaluator-" + kind);
    }

    public static DispatcherSelector dispatcher() {
        return DispatcherSelector.fromConfig(DISPATCHER);
    }

    public static Behavior<EvaluationRequest> create(Evaluator evaluator) {
        return create(evaluator, new SlotGauge());
    }

    /** A slot that reports to (and drains with) its node's {@code gauge}. */
    public static Behavior<EvaluationRequest> create(Evaluator evaluator, SlotGauge gauge) {
        return Behaviors.supervise(
                        Behaviors.<EvaluationRequest>setup(context -> new EvaluatorActor(context, evaluator, gauge)))
                .onFailure(SupervisorStrategy.restart());
    }

    private EvaluatorActor(ActorContext<EvaluationRequest> context, Evaluator evaluator, SlotGauge gauge) {
        super(context);
        this.evaluator = evaluator;
        this.gauge = gauge;
        this.name = evaluator.kind() + "@" + context.getSystem().address().hostPort() + "/"
                + context.getSelf().path().name();
        this.resolver = ActorRefResolver.get(context.getSystem());
        context.getSystem().receptionist().tell(Receptionist.register(serviceKey(evaluator.kind()), context.getSelf()));
    }

    @Override
    public Receive<EvaluationRequest> createReceive() {
        return newReceiveBuilder()
                .onMessage(EvaluationRequest.class, this::onRequest)
                .build();
    }

    private Behavior<EvaluationRequest> onRequest(EvaluationRequest request) {
        Candidate candidate = request.getCandidate();
        EvaluationResult.Builder result = EvaluationResult.newBuilder()
                .setSearchId(candidate.getSearchId())
                .setCandidateId(candidate.getCandidateId())
                .setArchitecture(candidate.getArchitecture())
                .setEvaluator(name)
                .setEvaluatorKind(candidate.getEvaluatorKind())
                .setAttempt(request.getAttempt());
        if (gauge.draining()) {
            replyTo(request.getReplyTo())
                    .tell(result.setStatus(EvaluationStatus.EVALUATION_STATUS_HANDED_BACK)
                            .setFailureReason("node is draining")
                            .build());
            return this;
        }
        gauge.started();
        long start = System.nanoTime();
        try {
            Evaluation evaluation = evaluator.evaluate(candidate.getArchitecture(), candidate.getFidelity());
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
        } catch (EvaluationException e) {
            failed(result, e.getMessage(), start);
        } catch (RuntimeException e) {
            // A bug in an evaluator fails this candidate, not the slot.
            getContext()
                    .getLog()
                    .warn(
                            "evaluator {} threw on {}",
                            name,
                            candidate.getArchitecture().getEncoding(),
                            e);
            failed(result, e.getClass().getSimpleName() + ": " + e.getMessage(), start);
        } finally {
            gauge.ended();
        }
        replyTo(request.getReplyTo()).tell(result.build());
        return this;
    }

    private static void failed(EvaluationResult.Builder result, String reason, long start) {
        result.setStatus(EvaluationStatus.EVALUATION_STATUS_FAILED)
                .setFailureReason(reason == null ? "unknown" : reason)
                .setCostSeconds((System.nanoTime() - start) / 1e9);
    }

    private ActorRef<EvaluationResult> replyTo(String serialized) {
        if (!serialized.equals(lastReplyTo)) {
            lastReplyRef = resolver.resolveActorRef(serialized);
            lastReplyTo = serialized;
        }
        return lastReplyRef;
    }
}
