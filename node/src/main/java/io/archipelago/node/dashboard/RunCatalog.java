package io.archipelago.node.dashboard;

import io.archipelago.node.journal.JournalReader;
import io.archipelago.node.journal.JournalSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every run the dashboard shows, and the cluster's state, as of the last poll. {@link #poll()} and
 * {@link #pollCluster()} do the blocking reads (files, the journal, asking the cluster's nodes) and
 * run on the actor system's blocking dispatcher on a timer; the HTTP routes and the live streams
 * only read the snapshots they publish, whose versions tell a stream what changed since it last
 * looked.
 */
public final class RunCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(RunCatalog.class);

    private final List<Path> roots;
    private final RunDirectories dirs;
    private final JournalSettings journal; // null: none
    private final Supplier<Map<String, Object>> cluster; // null: no cluster
    private final Map<String, TrackedRun> runs = new LinkedHashMap<>(); // by id, in the order found
    private final Map<String, String> ids = new LinkedHashMap<>(); // source key -> id
    private final AtomicLong version = new AtomicLong();
    private volatile List<TrackedRun> ordered = List.of();
    private volatile Map<String, Object> clusterState;
    private final AtomicLong clusterVersion = new AtomicLong();
    private volatile String journalError;

    /**
     * @param roots folders of run directories, or run directories
     * @param journal the shared journal (null: none)
     * @param cluster the cluster's state (null: no cluster to show)
     */
    public RunCatalog(
            List<Path> roots, RunDirectories dirs, JournalSettings journal, Supplier<Map<String, Object>> cluster) {
        this.roots = List.copyOf(roots);
        this.dirs = dirs;
        this.journal = journal;
        this.cluster = cluster;
        Map<String, Object> none = new LinkedHashMap<>();
        none.put("enabled", cluster != null);
        none.put("joined", false);
        none.put("members", List.of());
        this.clusterState = none;
    }

    /** Finds new runs and reads what changed in every run; returns whether anything did. */
    public synchronized boolean poll() {
        boolean changed = false;
        for (Path root : roots) {
            try {
                for (Path dir : dirs.under(root)) {
                    String key = "dir:" + dir.toAbsolutePath().normalize();
                    if (!ids.containsKey(key)) {
                        add(key, dir.getFileName().toString(), id -> new DirRun(id, dir, dirs));
                        changed = true;
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("dashboard: cannot list {}: {}", root, e.toString());
            }
        }
        if (journal != null) {
            changed |= pollJournal();
        }
        for (TrackedRun run : ordered) {
            try {
                changed |= run.refresh();
            } catch (RuntimeException e) {
                LOG.warn("dashboard: cannot read {}: {}", run.where, e.toString());
            }
        }
        if (changed) {
            version.incrementAndGet();
        }
        return changed;
    }

    private boolean pollJournal() {
        boolean changed = false;
        try (JournalReader reader = JournalReader.open(journal)) {
            for (String searchId : reader.searchIds()) {
                String key = "journal:" + searchId;
                if (!ids.containsKey(key)) {
                    add(key, searchId, id -> new JournalRun(id, searchId, journal.describe()));
                    changed = true;
                }
                ((JournalRun) runs.get(ids.get(key))).read(reader);
            }
            journalError = null;
        } catch (RuntimeException e) {
            // a journal that is away for a moment (a database restarting): the runs stay as they were
            journalError = e.getMessage();
        }
        return changed;
    }

    private void add(String key, String name, java.util.function.Function<String, TrackedRun> make) {
        String base = name.replaceAll("[^A-Za-z0-9._-]", "_");
        String id = base;
        for (int n = 2; runs.containsKey(id); n++) {
            id = base + "-" + n;
        }
        ids.put(key, id);
        runs.put(id, make.apply(id));
        ordered = List.copyOf(runs.values());
    }

    /** Asks the cluster for its state (the nodes answer within seconds); returns whether it changed. */
    public boolean pollCluster() {
        if (cluster == null) {
            return false;
        }
        Map<String, Object> state;
        try {
            state = cluster.get();
        } catch (RuntimeException e) {
            state = new LinkedHashMap<>(clusterState);
            state.put("error", e.getMessage());
        }
        if (state.equals(clusterState)) {
            return false;
        }
        clusterState = state;
        clusterVersion.incrementAndGet();
        return true;
    }

    /** Changes with every poll that changed a run (or found one). */
    public long version() {
        return version.get();
    }

    /** Whether there is a cluster to show (--seed-nodes). */
    public boolean hasCluster() {
        return cluster != null;
    }

    public long clusterVersion() {
        return clusterVersion.get();
    }

    public Map<String, Object> cluster() {
        return clusterState;
    }

    List<TrackedRun> runs() {
        return ordered;
    }

    Optional<TrackedRun> run(String id) {
        return ordered.stream().filter(r -> r.id.equals(id)).findFirst();
    }

    /** The runs list as /api/runs serves it. */
    public Map<String, Object> runsJson() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (TrackedRun run : ordered) {
            list.add(run.snapshot().summary());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("runs", list);
        List<String> sources = new ArrayList<>();
        roots.forEach(r -> sources.add(r.toString()));
        json.put("roots", sources);
        json.put("journal", journal == null ? null : journal.describe());
        json.put("journal_error", journalError);
        json.put("cluster", cluster != null);
        return json;
    }

    /** Ids of the runs, for tests. */
    Set<String> ids() {
        return new HashSet<>(runs.keySet());
    }
}
