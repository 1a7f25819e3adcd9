package io.archipelago.predictors;

import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.predictor.PredictorModel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Fits a {@link Predictor}'s models for whoever drives a model-guided strategy. Fits run in the
 * background on their own dispatcher, one at a time in the order asked, so the actor stays free to
 * take more requests while one runs. Every answer carries the version of the model it is about
 * (chosen by whoever asked for the fit).
 */
public final class PredictorActor<A> extends AbstractBehavior<PredictorActor.Command> {
    /** Pool of the actor (see reference.conf). */
    public static final String DISPATCHER = "archipelago.predictor-dispatcher";
    /** Pool of the fits, apart from the actor. */
    public static final String FIT_DISPATCHER = "archipelago.predictor-fit-dispatcher";

    public sealed interface Command {}

    /** Fit a model of {@code version} on these observations (targets: higher is better). */
    public record Fit<A>(int version, List<A> architectures, double[] targets, long seed, ActorRef<Fitted<A>> replyTo)
            implements Command {}

    /**
     * A fit's outcome: the model, or null with the failure's reason.
     *
     * @param seconds time the fit took
     */
    public record Fitted<A>(int version, PredictorModel<A> model, String failure, double seconds) {
        public boolean ok() {
            return model != null;
        }
    }

    private record FitDone<A>(Fit<A> request, Fitted<A> outcome) implements Command {}

    private final Predictor<A> predictor;
    private final Executor executor;
    private final ArrayDeque<Fit<A>> waiting = new ArrayDeque<>();
    private boolean fitting;

    public static DispatcherSelector dispatcher() {
        return DispatcherSelector.fromConfig(DISPATCHER);
    }

    /** Spawn it with {@link #dispatcher()}, off Pekko's default dispatcher. */
    public static <A> Behavior<Command> create(Predictor<A> predictor) {
        return Behaviors.setup(context -> new PredictorActor<>(context, predictor));
    }

    private PredictorActor(ActorContext<Command> context, Predictor<A> predictor) {
        super(context);
        this.predictor = predictor;
        this.executor = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(FIT_DISPATCHER));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Fit.class, fit -> onFit((Fit<A>) fit))
                .onMessage(FitDone.class, done -> onFitDone((FitDone<A>) done))
                .build();
    }

    private Behavior<Command> onFit(Fit<A> fit) {
        waiting.add(fit);
        startNextFit();
        return this;
    }

    private void startNextFit() {
        if (fitting || waiting.isEmpty()) {
            return;
        }
        Fit<A> fit = waiting.poll();
        fitting = true;
        CompletableFuture<Fitted<A>> outcome = CompletableFuture.supplyAsync(
                () -> {
                    long start = System.nanoTime();
                    PredictorModel<A> fitted = predictor.fit(fit.architectures(), fit.targets(), fit.seed());
                    return new Fitted<>(fit.version(), fitted, null, (System.nanoTime() - start) / 1e9);
                },
                executor);
        getContext()
                .pipeToSelf(
                        outcome,
                        (fitted, error) -> new FitDone<>(
                                fit,
                                error == null
                                        ? fitted
                                        : new Fitted<>(
                                                fit.version(),
                                                null,
                                                predictor.name() + " fit of version " + fit.version() + " failed: "
                                                        + rootMessage(error),
                                                0)));
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private Behavior<Command> onFitDone(FitDone<A> done) {
        fitting = false;
        done.request().replyTo().tell(done.outcome());
        startNextFit();
        return this;
    }
}
