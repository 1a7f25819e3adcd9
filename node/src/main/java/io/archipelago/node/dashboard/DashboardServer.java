package io.archipelago.node.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The dashboard's HTTP server (Pekko HTTP), read-only: GET only. It serves the single-page app
 * ({@code dashboard/} in the jar: index.html, app.js, app.css), Apache ECharts from its WebJar
 * ({@code /vendor/echarts.min.js}), and the JSON API the app reads:
 *
 * <ul>
 *   <li>{@code /api/runs}: every run with its state, progress, best and evaluations per second;
 *   <li>{@code /api/runs/ID}: one run: that summary, its evaluations (evaluations.csv's rows,
 *       typed), the best-so-far history and, for several objectives, every cell's objective
 *       values with feasibility and front membership;
 *   <li>{@code /api/runs/ID/evaluations.csv} (the run's evaluations.csv, byte for byte up to its
 *       last whole row) and {@code /api/runs/ID/evaluations.json};
 *   <li>{@code /api/cluster}: members, roles, pools per kind with busy and free slots, in-flight
 *       evaluations, utilisation, devices;
 *   <li>{@code /api/events?run=ID&from=N}: server-sent events: {@code runs} (the runs list, when it
 *       changes), {@code cluster} (when it changes) and {@code run} (run ID's summary, its rows
 *       from N on as they come, new history points and its Pareto points).
 * </ul>
 *
 * The runs are polled on a timer on the actor system's blocking dispatcher ({@link RunCatalog});
 * each event stream compares the catalog's versions with what it last sent, so a page gets only
 * what changed.
 */
public final class DashboardServer extends AllDirectives implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String APP = "dashboard";
    private static final String ECHARTS_POM = "META-INF/maven/org.webjars.npm/echarts/pom.properties";

    private final ActorSystem<?> system;
    private final RunCatalog catalog;
    private final Duration poll;
    private final String echarts;
    private final List<Cancellable> timers = new ArrayList<>();
    private ServerBinding binding;

    public DashboardServer(ActorSystem<?> system, RunCatalog catalog, Duration poll) {
        this.system = system;
        this.catalog = catalog;
        this.poll = poll;
        this.echarts = echartsResource();
    }

    /** Where the WebJar keeps ECharts, for the version packaged (the build fails the check below if it is missing). */
    static String echartsResource() {
        Properties pom = new Properties();
        try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream(ECHARTS_POM)) {
            if (in == null) {
                throw new IllegalStateException("the ECharts WebJar is not on the class path (" + ECHARTS_POM + ")");
            }
            pom.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + ECHARTS_POM + ": " + e.getMessage(), e);
        }
        String resource = "META-INF/resources/webjars/echarts/" + pom.getProperty("version") + "/dist/echarts.min.js";
        for (String needed : List.of(resource, APP + "/index.html", APP + "/app.js", APP + "/app.css")) {
            if (DashboardServer.class.getClassLoader().getResource(needed) == null) {
                throw new IllegalStateException("the dashboard's " + needed + " is not in this build");
            }
        }
        return resource;
    }

    /**
     * Polls once, starts the timers and listens on {@code host:port} (0: any free port).
     *
     * @return the address it listens on
     * @throws IllegalArgumentException when it cannot listen there (the port is taken, the host is not this machine's)
     */
    public InetSocketAddress start(String host, int port) throws InterruptedException {
        catalog.poll();
        ExecutionContextExecutor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        timers.add(system.scheduler().scheduleWithFixedDelay(poll, poll, () -> safely(catalog::poll), blocking));
        Duration clusterEvery = poll.compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2) : poll;
        timers.add(system.scheduler()
                .scheduleWithFixedDelay(Duration.ZERO, clusterEvery, () -> safely(catalog::pollCluster), blocking));
        try {
            binding = Http.get(system)
                    .newServerAt(host, port)
                    .bind(routes())
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            String why = cause instanceof BindException
                    ? "the port is in use, or the address is not this machine's (" + cause.getMessage() + ")"
                    : String.valueOf(cause == null ? e : cause.getMessage());
            throw new IllegalArgumentException("cannot listen on " + host + ":" + port + ": " + why, e);
        } catch (TimeoutException e) {
            close();
            throw new IllegalStateException("the HTTP server did not start within 30 s", e);
        }
        return binding.localAddress();
    }

    private static void safely(java.util.function.BooleanSupplier task) {
        try {
            task.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("dashboard: poll failed: {}", e.toString());
        }
    }

    Route routes() {
        return get(() -> concat(
                pathSingleSlash(() -> getFromResource(APP + "/index.html", ContentTypes.TEXT_HTML_UTF8)),
                pathPrefix("static", () -> getFromResourceDirectory(APP)),
                path(PathMatchers.segment("vendor").slash("echarts.min.js"), () -> getFromResource(echarts)),
                pathPrefix(
                        "api",
                        () -> concat(
                                path("runs", () -> json(catalog.runsJson())),
                                path(
                                        PathMatchers.segment("runs").slash(PathMatchers.segment()),
                                        id -> withRun(id, this::detail)),
                                path(
                                        PathMatchers.segment("runs")
                                                .slash(PathMatchers.segment())
                                                .slash("evaluations.csv"),
                                        id -> withRunResponse(id, this::csv)),
                                path(
                                        PathMatchers.segment("runs")
                                                .slash(PathMatchers.segment())
                                                .slash("evaluations.json"),
                                        id -> withRun(id, run -> run.snapshot().table().rows)),
                                path("cluster", () -> json(catalog.cluster())),
                                path(
                                        "events",
                                        () -> parameterOptional(
                                                "run",
                                                run -> parameterOptional(
                                                        "from",
                                                        from -> completeOK(
                                                                events(
                                                                        run,
                                                                        from.map(DashboardServer::count)
                                                                                .orElse(0)),
                                                                EventStreamMarshalling.toEventStream())))))),
                complete(StatusCodes.NOT_FOUND, "not found")));
    }

    private static int count(String text) {
        try {
            return Math.max(0, Integer.parseInt(text));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Route withRun(String id, Function<TrackedRun, Object> body) {
        return withRunResponse(id, run -> jsonResponse(body.apply(run)));
    }

    private Route withRunResponse(String id, Function<TrackedRun, HttpResponse> body) {
        Optional<TrackedRun> run = catalog.run(id);
        return run.isPresent()
                ? complete(body.apply(run.get()))
                : complete(StatusCodes.NOT_FOUND, "no run " + id + " (the runs list is /api/runs)");
    }

    private Route json(Object value) {
        return complete(jsonResponse(value));
    }

    private static HttpResponse jsonResponse(Object value) {
        return HttpResponse.create()
                .withEntity(ContentTypes.APPLICATION_JSON, bytes(value))
                .addHeader(RawHeader.create("Cache-Control", "no-store"));
    }

    static byte[] bytes(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One run: its summary, rows, history and Pareto points. */
    private Map<String, Object> detail(TrackedRun run) {
        TrackedRun.Snapshot snapshot = run.snapshot();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("summary", snapshot.summary());
        detail.put("columns", snapshot.table().columns);
        detail.put("rows", snapshot.table().rows);
        detail.put("history", snapshot.table().history);
        detail.put("pareto", snapshot.table().pareto);
        return detail;
    }

    private HttpResponse csv(TrackedRun run) {
        return HttpResponse.create()
                .withEntity(
                        ContentTypes.create(MediaTypes.TEXT_CSV, HttpCharsets.UTF_8),
                        run.snapshot().table().csv)
                .addHeader(RawHeader.create(
                        "Content-Disposition", "attachment; filename=\"" + run.id + "-evaluations.csv\""))
                .addHeader(RawHeader.create("Cache-Control", "no-store"));
    }

    /** The live stream of one page: what changed since the last tick, as server-sent events. */
    Source<ServerSentEvent, NotUsed> events(Optional<String> run, int from) {
        EventFollower follower = new EventFollower(catalog, run.orElse(null), from);
        return Source.tick(Duration.ZERO, poll, "tick")
                .mapConcat(tick -> follower.next())
                .keepAlive(Duration.ofSeconds(15), ServerSentEvent::heartbeat)
                .mapMaterializedValue(cancellable -> NotUsed.notUsed());
    }

    @Override
    public void close() {
        timers.forEach(Cancellable::cancel);
        if (binding != null) {
            binding.unbind();
        }
    }
}
