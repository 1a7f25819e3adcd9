package io.archipelago.node.bench;

import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.journal.SearchRecord;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.ResultSource;
import io.archipelago.proto.ResultTold;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One soak: starts the nodes, submits the search, runs the schedule until it ends, and reads what happened. */
final class SoakRun {
    private static final Pattern HOST = Pattern.compile("runs on the cluster's search host \\(([^)]*)\\)");
    private static final long DRAIN_WAIT_SECONDS = 120;

    private final String journal;
    private final int budget;
    private final BenchSoakCommand.Schedule schedule;
    private final long seed;
    private final Path dir;
    private final PrintWriter out;
    private final List<SoakNode> controllers = new ArrayList<>();
    private final List<SoakNode> evaluators = new ArrayList<>();
    private final SplittableRandom random;
    private final AtomicInteger ports;

    /** A kill -9 of the search's host: when, which node (as the journal names controllers). */
    record HostKill(long atMs, String node, String address) {}

    private final List<HostKill> hostKills = new ArrayList<>();
    private int evaluatorKills;
    /** Nodes that ended without the schedule ending them (name#incarnation). */
    private final List<String> selfExits = new ArrayList<>();

    private final List<Integer> drainExits = new ArrayList<>();

    SoakRun(
            String journal,
            int budget,
            String evalTime,
            int controllerCount,
            int evaluatorCount,
            int slots,
            BenchSoakCommand.Schedule schedule,
            int basePort,
            long seed,
            Path dir,
            PrintWriter out) {
        this.journal = journal;
        this.budget = budget;
        this.schedule = schedule;
        this.seed = seed;
        this.dir = dir;
        this.out = out;
        this.random = new SplittableRandom(seed);
        this.ports = new AtomicInteger(basePort);
        for (int i = 0; i < controllerCount; i++) {
            controllers.add(new SoakNode(
                    "controller-" + i,
                    List.of("--roles", "controller", "--journal", journal),
                    dir,
                    ports::getAndIncrement));
        }
        for (int i = 0; i < evaluatorCount; i++) {
            evaluators.add(new SoakNode(
                    "evaluator-" + i,
                    List.of(
                            "--roles",
                            "evaluator",
                            "--slots",
                            Integer.toString(slots),
                            "--eval-time",
                            evalTime,
                            "--seed",
                            Long.toString(seed + i)),
                    dir,
                    ports::getAndIncrement));
        }
    }

    Report run() throws Exception {
        long started = System.currentTimeMillis();
        String searchId;
        String host;
        try {
            controllers.get(0).start(null);
            Thread.sleep(5000); // the first seed forms the cluster before the others ask it
            for (SoakNode node : controllers.subList(1, controllers.size())) {
                node.start(seeds(node));
            }
            for (SoakNode node : evaluators) {
                node.start(seeds(node));
            }
            String[] submitted = submit();
            searchId = submitted[0];
            host = submitted[1];
            say("search %s runs on %s", searchId, host);
            churn(searchId, started);
            for (SoakNode node : all()) {
                if (node.alive() && !node.samples.isEmpty()) {
                    node.sample();
                }
            }
        } finally {
            for (SoakNode node : all()) {
                if (node.alive()) {
                    node.terminate(60);
                }
            }
        }
        return report(searchId, started);
    }

    private List<SoakNode> all() {
        List<SoakNode> all = new ArrayList<>(controllers);
        all.addAll(evaluators);
        return all;
    }

    /** The live controller-role nodes other than {@code self}: whoever starts joins through them. */
    private String seeds(SoakNode self) {
        return String.join(
                ",",
                controllers.stream()
                        .filter(c -> c != self && c.alive())
                        .map(SoakNode::address)
                        .toList());
    }

    /** Hands the search to the cluster (search --cluster --detach): its id, and the host that took it. */
    private String[] submit() throws IOException, InterruptedException {
        List<String> command = SoakNode.archipelago(
                List.of(),
                "search",
                "--cluster",
                "--detach",
                "--journal",
                journal,
                "--seed-nodes",
                seeds(null),
                "--port",
                Integer.toString(ports.getAndIncrement()),
                "--transport",
                "tcp",
                "--strategy",
                "random",
                "--budget",
                Integer.toString(budget),
                "--seed",
                Long.toString(seed),
                "--out",
                // a new id each time: the journal may hold earlier soaks' searches
                dir.resolve("search-" + System.currentTimeMillis()).toString(),
                "--quiet");
        Path log = dir.resolve("submit.log");
        Process submit = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!submit.waitFor(300, TimeUnit.SECONDS)) {
            submit.destroyForcibly();
            throw new IllegalStateException("the search was not taken by the cluster within 300 s (" + log + ")");
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        if (submit.exitValue() != 0) {
            throw new IllegalStateException("search --detach ended with " + submit.exitValue() + ": " + lastLine(text));
        }
        Matcher host = HOST.matcher(text);
        return new String[] {lastLine(text).strip(), host.find() ? host.group(1) : "?"};
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\\R");
        return lines[lines.length - 1];
    }

    /** The schedule, until the search finishes or the soak's time is up. */
    private void churn(String searchId, long started) throws Exception {
        long now = System.currentTimeMillis();
        long nextKill =
                now + draw(schedule.killMin().toMillis(), schedule.killMax().toMillis());
        long nextDrain = now + schedule.drainEvery().toMillis();
        long nextHostKill = now + schedule.hostKillEvery().toMillis();
        long end = started + schedule.maxRun().toMillis();
        Map<SoakNode, Long> restarts = new HashMap<>();
        long nextCheck = 0;
        while (System.currentTimeMillis() < end) {
            now = System.currentTimeMillis();
            if (now >= nextCheck) {
                if (finished(searchId)) {
                    say("search finished after %.1f min", (now - started) / 60e3);
                    return;
                }
                nextCheck = now + 2000;
            }
            if (now >= nextKill) {
                SoakNode victim = pickEvaluator();
                if (victim != null) {
                    say("kill -9 %s#%d", victim.name, victim.incarnation());
                    victim.kill();
                    evaluatorKills++;
                    victim.start(seeds(victim));
                }
                nextKill = now
                        + draw(schedule.killMin().toMillis(), schedule.killMax().toMillis());
            }
            if (now >= nextDrain) {
                SoakNode drained = pickEvaluator();
                if (drained != null) {
                    int exit = drained.terminate(DRAIN_WAIT_SECONDS);
                    say("drained %s#%d: exit %d", drained.name, drained.incarnation(), exit);
                    drainExits.add(exit);
                    drained.start(seeds(drained));
                }
                nextDrain = now + schedule.drainEvery().toMillis();
            }
            if (now >= nextHostKill && failingOver(searchId)) {
                nextHostKill = now + 2000; // ask the journal again in a while
            } else if (now >= nextHostKill) {
                SoakNode hostNode = hostOf(searchId);
                if (hostNode != null) {
                    String address = hostNode.address();
                    long at = System.currentTimeMillis();
                    hostNode.kill();
                    hostKills.add(new HostKill(at, hostNode.name + "#" + hostNode.incarnation(), address));
                    say("kill -9 the search's host %s#%d (%s)", hostNode.name, hostNode.incarnation(), address);
                    restarts.put(hostNode, at + schedule.hostDownFor().toMillis());
                }
                nextHostKill = now + schedule.hostKillEvery().toMillis();
            }
            for (SoakNode node : all()) {
                // As a supervisor (Kubernetes, systemd) would: a node that ended on its own (downed,
                // crashed) starts again; the report counts them, and none is expected.
                if (!node.alive() && !restarts.containsKey(node)) {
                    say("%s#%d ended on its own (see its log): started again", node.name, node.incarnation());
                    selfExits.add(node.name + "#" + node.incarnation());
                    node.start(seeds(node));
                }
            }
            for (var restart : List.copyOf(restarts.entrySet())) {
                if (now >= restart.getValue()) {
                    restart.getKey().start(seeds(restart.getKey()));
                    say(
                            "started %s#%d again",
                            restart.getKey().name, restart.getKey().incarnation());
                    restarts.remove(restart.getKey());
                }
            }
            for (SoakNode node : all()) {
                if (node.alive() && node.samples.isEmpty() && node.minutes() >= 5) {
                    SoakNode.Memory memory = node.sample();
                    if (memory != null) {
                        say(
                                "%s#%d at minute 5: heap %d MB, native %d MB, rss %d MB",
                                node.name,
                                node.incarnation(),
                                memory.heapUsedKb() / 1024,
                                memory.nativeKb() / 1024,
                                memory.rssKb() / 1024);
                    }
                }
            }
            Thread.sleep(250);
        }
        say("the soak's time is up before the search finished");
    }

    /**
     * Whether the last kill of the host has not been taken over yet (no search-resumed event since):
     * the next kill waits for it, or it would kill a node that does not host the search.
     */
    private boolean failingOver(String searchId) {
        if (hostKills.isEmpty()) {
            return false;
        }
        long killedAt = hostKills.get(hostKills.size() - 1).atMs();
        try (JournalReader reader = JournalReader.open(JournalSettings.parse(journal))) {
            return reader.events(searchId).stream()
                    .noneMatch(t ->
                            t.event().hasResumed() && t.event().getResumed().getResumedAtMs() >= killedAt);
        }
    }

    private long draw(long min, long max) {
        return min + (max > min ? random.nextLong(max - min + 1) : 0);
    }

    private SoakNode pickEvaluator() {
        List<SoakNode> alive = evaluators.stream().filter(SoakNode::alive).toList();
        return alive.isEmpty() ? null : alive.get(random.nextInt(alive.size()));
    }

    /** The node running the search now: the last controller the journal says took it over, else the first host. */
    private SoakNode hostOf(String searchId) {
        String address = null;
        try (JournalReader reader = JournalReader.open(JournalSettings.parse(journal))) {
            for (JournalReader.Timed timed : reader.events(searchId)) {
                if (timed.event().hasResumed()) {
                    address = timed.event().getResumed().getController();
                }
            }
        }
        for (SoakNode node : controllers) {
            if (node.alive() && (address == null ? node == oldest() : address.endsWith(":" + node.port()))) {
                return node;
            }
        }
        return oldest(); // the search host is a singleton on the oldest controller-role node
    }

    private SoakNode oldest() {
        return controllers.stream()
                .filter(SoakNode::alive)
                .max(Comparator.comparingDouble(SoakNode::minutes))
                .orElse(null);
    }

    private boolean finished(String searchId) {
        try (JournalReader reader = JournalReader.open(JournalSettings.parse(journal))) {
            return reader.head(searchId).map(JournalReader.SearchHead::finished).orElse(false);
        }
    }

    private void say(String format, Object... args) {
        out.printf("soak: " + format + "%n", args);
        out.flush();
    }

    private Report report(String searchId, long started) {
        List<JournalReader.Timed> events;
        try (JournalReader reader = JournalReader.open(JournalSettings.parse(journal))) {
            events = reader.events(searchId);
        }
        SearchRecord record = SearchRecord.of(searchId, events);
        Map<Long, Integer> okTimes = new HashMap<>();
        for (ResultTold told : record.told()) {
            if (told.getSource() == ResultSource.RESULT_SOURCE_EVALUATED
                    && told.getResult().getStatus() == EvaluationStatus.EVALUATION_STATUS_OK) {
                okTimes.merge(told.getResult().getCandidateId(), 1, Integer::sum);
            }
        }
        int duplicates = okTimes.values().stream().mapToInt(n -> n - 1).sum();
        int lost = record.failed() + (record.finished() ? 0 : Math.max(0, budget - record.evaluations()));
        long finishedAt = events.stream()
                .filter(t -> t.event().hasFinished())
                .mapToLong(JournalReader.Timed::writtenAtMs)
                .findFirst()
                .orElse(Long.MAX_VALUE);
        List<Report.FailOver> failOvers = new ArrayList<>();
        for (HostKill kill : hostKills) {
            if (kill.atMs() >= finishedAt) {
                continue; // the search had ended: nothing to take over
            }
            Optional<JournalReader.Timed> resumed = events.stream()
                    .filter(t ->
                            t.event().hasResumed() && t.event().getResumed().getResumedAtMs() >= kill.atMs())
                    .findFirst();
            Optional<JournalReader.Timed> result = events.stream()
                    .filter(t -> t.writtenAtMs() >= kill.atMs()
                            && t.event().hasStep()
                            && t.event().getStep().getOpsList().stream().anyMatch(op -> op.hasTold()))
                    .findFirst();
            failOvers.add(new Report.FailOver(
                    kill.node(),
                    resumed.map(t -> t.event().getResumed().getController()).orElse(null),
                    resumed.map(t -> t.event().getResumed().getResumedAtMs() - kill.atMs())
                            .orElse(null),
                    result.map(t -> t.writtenAtMs() - kill.atMs()).orElse(null)));
        }
        List<Report.NodeMemory> memory = new ArrayList<>();
        for (SoakNode node : all()) {
            if (node.samples.size() >= 2) {
                memory.add(new Report.NodeMemory(
                        node.name + "#" + node.incarnation(),
                        node.samples.get(0),
                        node.samples.get(node.samples.size() - 1)));
            }
        }
        return new Report(
                searchId,
                budget,
                record.finished(),
                record.stopReason(),
                record.evaluations(),
                okTimes.size(),
                duplicates,
                record.failed(),
                lost,
                evaluatorKills,
                List.copyOf(drainExits),
                List.copyOf(selfExits),
                failOvers,
                memory,
                (System.currentTimeMillis() - started) / 60e3);
    }

    /** What the soak measured. */
    record Report(
            String searchId,
            int budget,
            boolean finished,
            String stopReason,
            int evaluations,
            int distinctOk,
            int duplicates,
            int failed,
            int lost,
            int evaluatorKills,
            List<Integer> drainExits,
            List<String> selfExits,
            List<FailOver> failOvers,
            List<NodeMemory> memory,
            double minutes) {

        /** @param resumedMs until another node resumed the search; null: none did */
        record FailOver(String killed, String resumedBy, Long resumedMs, Long resultsMs) {}

        record NodeMemory(String node, SoakNode.Memory first, SoakNode.Memory last) {
            double heapGrowth() {
                return growth(first.heapUsedKb(), last.heapUsedKb());
            }

            double nativeGrowth() {
                return growth(first.nativeKb(), last.nativeKb());
            }

            private static double growth(long from, long to) {
                return from == 0 ? 0 : (to - from) / (double) from;
            }
        }

        /** The longest fail-over; null if there was none, or one never resumed. */
        Long maxFailOverMs() {
            if (failOvers.isEmpty() || failOvers.stream().anyMatch(f -> f.resumedMs() == null)) {
                return null;
            }
            return failOvers.stream().mapToLong(FailOver::resumedMs).max().getAsLong();
        }

        void print(PrintWriter out) {
            out.printf(
                    "search %s: %d of %d evaluations (%s), %.1f min%n",
                    searchId, evaluations, budget, finished ? stopReason : "not finished", minutes);
            out.printf("distinct ok %d, duplicates %d, failed %d, lost %d%n", distinctOk, duplicates, failed, lost);
            out.printf(
                    "evaluator kills %d, drains %d (exit codes %s), nodes that ended on their own %d %s%n",
                    evaluatorKills, drainExits.size(), drainExits, selfExits.size(), selfExits);
            for (FailOver f : failOvers) {
                out.printf(
                        "host %s killed: resumed by %s after %s ms, results again after %s ms%n",
                        f.killed(), f.resumedBy(), f.resumedMs(), f.resultsMs());
            }
            for (NodeMemory m : memory) {
                out.printf(
                        "%s from minute %.1f to %.1f: heap after GC %d -> %d MB (%+.1f%%), native %d -> %d MB "
                                + "(%+.1f%%), rss %d -> %d MB%n",
                        m.node(),
                        m.first().minute(),
                        m.last().minute(),
                        m.first().heapUsedKb() / 1024,
                        m.last().heapUsedKb() / 1024,
                        100 * m.heapGrowth(),
                        m.first().nativeKb() / 1024,
                        m.last().nativeKb() / 1024,
                        100 * m.nativeGrowth(),
                        m.first().rssKb() / 1024,
                        m.last().rssKb() / 1024);
            }
            out.flush();
        }

        Map<String, Object> json() {
            List<Object> failOverJson = new ArrayList<>();
            for (FailOver f : failOvers) {
                failOverJson.add(BenchOutput.ordered(
                        "killed",
                        f.killed(),
                        "resumed_by",
                        f.resumedBy(),
                        "resumed_ms",
                        f.resumedMs(),
                        "results_ms",
                        f.resultsMs()));
            }
            List<Object> memoryJson = new ArrayList<>();
            for (NodeMemory m : memory) {
                memoryJson.add(BenchOutput.ordered(
                        "node", m.node(),
                        "from_minute", m.first().minute(),
                        "to_minute", m.last().minute(),
                        "heap_after_gc_kb",
                                List.of(m.first().heapUsedKb(), m.last().heapUsedKb()),
                        "native_kb", List.of(m.first().nativeKb(), m.last().nativeKb()),
                        "rss_kb", List.of(m.first().rssKb(), m.last().rssKb()),
                        "heap_growth", m.heapGrowth(),
                        "native_growth", m.nativeGrowth()));
            }
            return BenchOutput.ordered(
                    "search_id", searchId,
                    "budget", budget,
                    "finished", finished,
                    "evaluations", evaluations,
                    "distinct_ok", distinctOk,
                    "duplicates", duplicates,
                    "failed", failed,
                    "lost", lost,
                    "evaluator_kills", evaluatorKills,
                    "drains", drainExits.size(),
                    "drain_exits", drainExits,
                    "self_exits", selfExits,
                    "fail_overs", failOverJson,
                    "max_fail_over_ms", maxFailOverMs(),
                    "memory", memoryJson,
                    "minutes", minutes);
        }
    }
}
