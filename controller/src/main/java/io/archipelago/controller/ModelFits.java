package io.archipelago.controller;

import io.archipelago.controller.strategy.ModelGuidedStrategy;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.predictors.PredictorActor;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A search's bridge to its model's fits. A model-guided strategy's fits run on a {@link
 * PredictorActor} child, never on the controller, so a slow fit never holds up results; the
 * strategy keeps asking for a fit until the model arrives, so each is sent once per incarnation
 * (a resumed search sends again what its journal still waits for). Without a model there is no
 * child, and nothing is sent.
 */
final class ModelFits<A> {
    private final ActorRef<PredictorActor.Command> predictor; // null: the strategy fits no model
    private final ActorRef<PredictorActor.Fitted<A>> replyTo;
    private final Set<Integer> sent = new HashSet<>();

    /** Spawns the predictor child (a model-guided strategy only); its answers come back through {@code wrap}. */
    <C> ModelFits(ActorContext<C> context, Strategy<A> strategy, Function<PredictorActor.Fitted<?>, C> wrap) {
        Optional<ModelGuidedStrategy<A>> modelGuided = strategy.modelGuided();
        if (modelGuided.isPresent()) {
            this.predictor = context.spawn(
                    PredictorActor.create(modelGuided.get().predictor()), "predictor", PredictorActor.dispatcher());
            @SuppressWarnings({"unchecked", "rawtypes"})
            ActorRef<PredictorActor.Fitted<A>> adapter =
                    (ActorRef) context.messageAdapter(PredictorActor.Fitted.class, wrap::apply);
            this.replyTo = adapter;
        } else {
            this.predictor = null;
            this.replyTo = null;
        }
    }

    /** Hands the strategy's due fits to the predictor, those not sent yet. */
    void send(Collection<ModelGuidedStrategy.FitRequest<A>> due) {
        if (predictor == null) {
            return;
        }
        for (ModelGuidedStrategy.FitRequest<A> r : due) {
            if (sent.add(r.version())) {
                predictor.tell(
                        new PredictorActor.Fit<>(r.version(), r.architectures(), r.targets(), r.seed(), replyTo));
            }
        }
    }
}
