package io.archipelago.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.Test;

/** A node's evaluator slots in its meters: busy and free per kind, and each evaluation's duration. */
class EvaluatorMetricsTest {
    /** The exported registry, as a node names it in {@link NodeMeters#EXPORT_KEY}. */
    public static final class Simple implements Supplier<MeterRegistry> {
        @Override
        public MeterRegistry get() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    void slotsAndDurationsPerKind() throws Exception {
        ActorTestKit testKit =
                ActorTestKit.create(ConfigFactory.parseMap(Map.of(NodeMeters.EXPORT_KEY, Simple.class.getName()))
                        .withFallback(ConfigFactory.load()));
        CountDownLatch release = new CountDownLatch(1);
        Evaluator evaluator = new Evaluator() {
            @Override
            public String kind() {
                return "metered";
            }

            @Override
            public Evaluation evaluate(Architecture architecture, int fidelity) throws EvaluationException {
                if (architecture.getEncoding().equals("wait")) {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else if (architecture.getEncoding().equals("fail")) {
                    throw new EvaluationException("no");
                }
                return new Evaluation(Map.of("score", 1.0), 0.01);
            }
        };
        try {
            SlotGauge gauge = new SlotGauge();
            ActorRef<EvaluationRequest> first =
                    testKit.spawn(EvaluatorActor.create(evaluator, gauge), "slot-1", EvaluatorActor.dispatcher());
            ActorRef<EvaluationRequest> second =
                    testKit.spawn(EvaluatorActor.create(evaluator, gauge), "slot-2", EvaluatorActor.dispatcher());
            MeterRegistry registry = NodeMeters.get(testKit.system())
                    .registry()
                    .getRegistries()
                    .iterator()
                    .next();
            TestProbe<EvaluationResult> results = testKit.createTestProbe();
            String replyTo = ActorRefResolver.get(testKit.system()).toSerializationFormat(results.getRef());
            awaitGauge(registry, "free", 2);
            first.tell(request("wait", 1, replyTo));
            awaitGauge(registry, "busy", 1);
            assertEquals(1.0, gauge(registry, "free"));
            second.tell(request("ok", 2, replyTo));
            second.tell(request("fail", 3, replyTo));
            results.receiveSeveralMessages(2, Duration.ofSeconds(10));
            release.countDown();
            results.receiveMessage(Duration.ofSeconds(10));
            awaitGauge(registry, "busy", 0);
            assertEquals(2.0, gauge(registry, "free"));
            assertEquals(
                    3,
                    registry.get("archipelago.evaluation.duration")
                            .tag("kind", "metered")
                            .timer()
                            .count());
        } finally {
            testKit.shutdownTestKit();
        }
    }

    @Test
    void hostedPoolsShowBesideTheNodesOwnSlots() throws Exception {
        ActorTestKit testKit =
                ActorTestKit.create(ConfigFactory.parseMap(Map.of(NodeMeters.EXPORT_KEY, Simple.class.getName()))
                        .withFallback(ConfigFactory.load()));
        try {
            NodeMeters meters = NodeMeters.get(testKit.system());
            java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger(1);
            meters.hostPools(() -> java.util.List.of(io.archipelago.proto.EvaluatorPoolStatus.newBuilder()
                    .setKind("worker:score")
                    .setSlots(3)
                    .setBusy(busy.get())
                    .build()));
            meters.refresh();
            MeterRegistry registry =
                    meters.registry().getRegistries().iterator().next();
            assertEquals(1.0, gauge(registry, "worker:score", "busy"));
            assertEquals(2.0, gauge(registry, "worker:score", "free"));
            busy.set(3);
            meters.refresh();
            assertEquals(3.0, gauge(registry, "worker:score", "busy"));
            assertEquals(0.0, gauge(registry, "worker:score", "free"));
        } finally {
            testKit.shutdownTestKit();
        }
    }

    private static double gauge(MeterRegistry registry, String kind, String state) {
        return registry.get("archipelago.evaluator.slots")
                .tag("kind", kind)
                .tag("state", state)
                .gauge()
                .value();
    }

    private static EvaluationRequest request(String encoding, long id, String replyTo) {
        return EvaluationRequest.newBuilder()
                .setCandidate(Candidate.newBuilder()
                        .setSearchId("s")
                        .setCandidateId(id)
                        .setEvaluatorKind("metered")
                        .setArchitecture(Architecture.newBuilder().setEncoding(encoding)))
                .setAttempt(1)
                .setReplyTo(replyTo)
                .build();
    }

    private static double gauge(MeterRegistry registry, String state) {
        return registry.get("archipelago.evaluator.slots")
                .tag("kind", "metered")
                .tag("state", state)
                .gauge()
                .value();
    }

    private static void awaitGauge(MeterRegistry registry, String state, double value) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (gauge(registry, state) == value) {
                    return;
                }
            } catch (io.micrometer.core.instrument.search.MeterNotFoundException e) {
                // the slots have not registered yet
            }
            Thread.sleep(20);
        }
        assertEquals(value, gauge(registry, state), state);
    }
}
