package io.archipelago.predictors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.archipelago.core.predictor.Predictor;
import io.archipelago.core.predictor.PredictorModel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PredictorActorTest {
    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /**
     * Scores a string by its length times the fit's first target; a fit waits for the test to
     * release it, and a negative first target makes it fail.
     */
    private static final class GatedPredictor implements Predictor<String> {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String name() {
            return "gated";
        }

        @Override
        public PredictorModel<String> fit(List<String> architectures, double[] targets, long seed) {
            Predictor.checkObservations(architectures, targets);
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (targets[0] < 0) {
                throw new IllegalStateException("diverged");
            }
            double scale = targets[0];
            return cells -> cells.stream().mapToDouble(c -> c.length() * scale).toArray();
        }
    }

    @Test
    void fitsRunOneAtATimeInTheOrderAskedAndEveryAnswerNamesItsVersion() {
        GatedPredictor predictor = new GatedPredictor();
        ActorRef<PredictorActor.Command> actor =
                testKit.spawn(PredictorActor.create(predictor), "gated", PredictorActor.dispatcher());
        TestProbe<PredictorActor.Fitted<String>> fitted = testKit.createTestProbe();

        actor.tell(new PredictorActor.Fit<>(10, List.of("a", "bb"), new double[] {2, 3}, 1, fitted.getRef()));
        actor.tell(new PredictorActor.Fit<>(20, List.of("a", "bb"), new double[] {-1, 3}, 1, fitted.getRef()));
        fitted.expectNoMessage(Duration.ofMillis(200)); // the first fit is blocked, and the second waits behind it

        predictor.release.countDown();
        PredictorActor.Fitted<String> first = fitted.receiveMessage(Duration.ofSeconds(5));
        assertEquals(10, first.version());
        assertTrue(first.ok());
        assertArrayEquals(new double[] {6, 2}, first.model().predict(List.of("abc", "a")));
        PredictorActor.Fitted<String> second = fitted.receiveMessage(Duration.ofSeconds(5));
        assertEquals(20, second.version());
        assertNull(second.model());
        assertTrue(second.failure().contains("version 20") && second.failure().contains("diverged"), second.failure());
    }

    @Test
    void badObservationsFailTheFitWithTheirReason() {
        GatedPredictor predictor = new GatedPredictor();
        predictor.release.countDown();
        ActorRef<PredictorActor.Command> actor =
                testKit.spawn(PredictorActor.create(predictor), "bad", PredictorActor.dispatcher());
        TestProbe<PredictorActor.Fitted<String>> fitted = testKit.createTestProbe();
        actor.tell(new PredictorActor.Fit<>(1, List.of("a", "b"), new double[] {1, Double.NaN}, 1, fitted.getRef()));
        PredictorActor.Fitted<String> outcome = fitted.receiveMessage(Duration.ofSeconds(5));
        assertTrue(!outcome.ok() && outcome.failure().contains("NaN"), outcome.failure());
    }
}
