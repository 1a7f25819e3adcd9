package io.archipelago.node.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.archipelago.controller.SearchEvent;
import io.archipelago.controller.router.Router;
import io.archipelago.evaluators.NodeMeters;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/** What {@link SearchMetrics} makes of a search's events, and that a finished search's meters go after the retention. */
class SearchMetricsTest {
    private static SearchEvent.ResultRecorded result(
            String kind, EvaluationStatus status, Router.Source source, int attempts, double best) {
        return new SearchEvent.ResultRecorded(
                EvaluationResult.newBuilder()
                        .setSearchId("s1")
                        .setEvaluatorKind(kind)
                        .setStatus(status)
                        .build(),
                source,
                attempts,
                0,
                best);
    }

    @Test
    void countsOutcomesRetriesAndTheBestThenForgetsTheSearch() throws Exception {
        ActorSystem<Void> system = ActorSystem.create(
                Behaviors.empty(),
                "metrics-test",
                ConfigFactory.parseMap(Map.of(
                                NodeMeters.EXPORT_KEY,
                                PrometheusExport.class.getName(),
                                SearchMetrics.RETENTION_KEY,
                                "300ms"))
                        .withFallback(ConfigFactory.load()));
        try {
            PrometheusMeterRegistry prometheus = NodeOps.prometheus(NodeMeters.get(system));
            SearchMetrics metrics = SearchMetrics.get(system);
            EvaluationStatus ok = EvaluationStatus.EVALUATION_STATUS_OK;
            EvaluationStatus failed = EvaluationStatus.EVALUATION_STATUS_FAILED;
            metrics.record("s1", result("tabular", ok, Router.Source.EVALUATED, 1, 80.5));
            metrics.record("s1", result("tabular", ok, Router.Source.EVALUATED, 3, 81.25));
            metrics.record("s1", result("tabular", failed, Router.Source.EVALUATED, 2, Double.NaN));
            metrics.record("s1", result("tabular", ok, Router.Source.CACHED, 1, 81.25));
            metrics.record("s1", result("tabular", failed, Router.Source.REJECTED, 0, 81.25));
            String text = prometheus.scrape();
            assertTrue(
                    text.contains("archipelago_evaluations_total{kind=\"tabular\",outcome=\"ok\",search=\"s1\"} 2.0"),
                    text);
            assertTrue(
                    text.contains(
                            "archipelago_evaluations_total{kind=\"tabular\",outcome=\"failed\",search=\"s1\"} 1.0"),
                    text);
            assertTrue(
                    text.contains(
                            "archipelago_evaluations_total{kind=\"tabular\",outcome=\"cached\",search=\"s1\"} 1.0"),
                    text);
            assertTrue(
                    text.contains(
                            "archipelago_evaluations_total{kind=\"tabular\",outcome=\"rejected\",search=\"s1\"} 1.0"),
                    text);
            assertTrue(text.contains("archipelago_evaluation_retries_total{kind=\"tabular\",search=\"s1\"} 3.0"), text);
            assertTrue(text.contains("archipelago_search_best{search=\"s1\"} 81.25"), text);
            assertTrue(text.contains("archipelago_search_running{search=\"s1\"} 1.0"), text);

            metrics.record("s1", new SearchEvent.SearchAborted("s1", "stopped", false));
            assertTrue(prometheus.scrape().contains("archipelago_search_running{search=\"s1\"} 0.0"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (metrics.searchesHeld() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, metrics.searchesHeld());
            assertTrue(!prometheus.scrape().contains("search=\"s1\""), prometheus.scrape());
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get();
        }
    }
}
