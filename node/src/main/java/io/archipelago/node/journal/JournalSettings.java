package io.archipelago.node.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Where searches journal their events: nowhere durable ({@code none}: memory, for benchmarks),
 * an embedded H2 file (the default: {@code journal.mv.db} in the run directory, no server), or
 * a database server through {@code pekko-persistence-jdbc} ({@code jdbc:postgresql://...}, what a
 * cluster shares so that another controller node can take a search over).
 *
 * <p>{@link #config()} is the actor system's configuration for it: journal, snapshot store and
 * read journal share one connection pool.
 */
public final class JournalSettings {
    /** The H2 database's name in a run directory (H2 adds {@code .mv.db}). */
    public static final String H2_NAME = "journal";

    public static final String H2_FILE = H2_NAME + ".mv.db";
    /**
     * A step of a fast search is tens to hundreds of kilobytes: H2 keeps values up to 1 MiB in the
     * row instead of its separate LOB store (the default is 256 bytes), which is several times
     * cheaper; and it compresses its pages (LZF), which makes the file several times smaller (the
     * results of a search repeat their architectures' operations) for about what writing the
     * uncompressed bytes would cost: alternated at the engine's raw rate, compressed and not were
     * within noise of each other (benchmarks/RESULTS.md). Files written either way open either way.
     */
    static final String H2_OPTIONS = ";MAX_LENGTH_INPLACE_LOB=1048576;COMPRESS=TRUE";

    /** Config key a cluster's HOCON may set instead of {@code --journal}. */
    public static final String CONFIG_KEY = "archipelago.journal.url";
    /** Config key of the retry window (the controller library's reference.conf has the default). */
    static final String RETRY_WINDOW_KEY = "archipelago.journal.retry-window";

    /** How long opening the journal may take before the command gives up on it, naming why. */
    static final Duration OPEN_TIMEOUT = Duration.ofSeconds(5);

    private final String url; // null: in memory
    /**
     * How long a search goes on while the database is away before it stops (the controller's
     * JournalKeeper); null: as the node's configuration says (reference.conf: 2 minutes).
     */
    private final Duration retryWindow;

    private JournalSettings(String url, Duration retryWindow) {
        this.url = url;
        this.retryWindow = retryWindow;
    }

    private JournalSettings(String url) {
        this(url, null);
    }

    public static JournalSettings none() {
        return new JournalSettings(null);
    }

    /** These settings with another retry window (at least a second: shorter would not outlast a single retry). */
    public JournalSettings withRetryWindow(Duration window) {
        if (window.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(
                    "--journal-retry must be at least 1 second, got " + window.toMillis() + " ms");
        }
        return new JournalSettings(url, window);
    }

    /** The embedded journal of a run directory; {@code mustExist}: open it only if it is there (never create one). */
    public static JournalSettings inRunDirectory(Path dir, boolean mustExist) {
        return new JournalSettings("jdbc:h2:file:"
                + dir.toAbsolutePath().normalize().resolve(H2_NAME) + H2_OPTIONS + (mustExist ? ";IFEXISTS=TRUE" : ""));
    }

    /** Whether {@code dir} holds an embedded journal. */
    public static boolean hasJournal(Path dir) {
        return Files.isRegularFile(dir.resolve(H2_FILE));
    }

    /** {@code none}, {@code jdbc:h2:...} or {@code jdbc:postgresql://...}; anything else fails, naming what is accepted. */
    public static JournalSettings parse(String text) {
        if (text.equals("none")) {
            return none();
        }
        if (text.startsWith("jdbc:postgresql:") || text.startsWith("jdbc:h2:")) {
            return new JournalSettings(text);
        }
        throw new IllegalArgumentException(
                "--journal must be none, jdbc:postgresql://HOST:PORT/DB?user=U&password=P or jdbc:h2:file:PATH; got "
                        + text);
    }

    /** The JDBC URL (null for none). */
    public String url() {
        return url;
    }

    public boolean durable() {
        return url != null;
    }

    public boolean isPostgres() {
        return url != null && url.startsWith("jdbc:postgresql:");
    }

    /** The URL without its password, for logs and summaries. */
    public String describe() {
        return url == null
                ? "none"
                : url.replaceAll("(?i)(password=)[^&;]*", "$1***")
                        .replace(";IFEXISTS=TRUE", "")
                        .replace(H2_OPTIONS, "");
    }

    /** The actor system settings of this journal (overrides for the node's config). */
    public Config config() {
        if (url == null) {
            return ConfigFactory.parseMap(Map.of(
                    "pekko.persistence.journal.plugin", "pekko.persistence.journal.inmem",
                    "pekko.persistence.snapshot-store.plugin", "pekko.persistence.no-snapshot-store"));
        }
        Config retry = retryWindow == null
                ? ConfigFactory.empty()
                : ConfigFactory.parseMap(Map.of(RETRY_WINDOW_KEY, retryWindow.toMillis() + "ms"));
        Map<String, Object> db = new HashMap<>();
        db.put("url", url);
        db.put("driver", isPostgres() ? "org.postgresql.Driver" : "org.h2.Driver");
        db.put("numThreads", 2);
        db.put("maxConnections", 2);
        db.put("minConnections", 1);
        // How long a write waits for a connection: a database that went away fails the write soon
        // after, and the search's journal is started again (within the retry window).
        db.put("connectionTimeout", (int) OPEN_TIMEOUT.toMillis());
        return ConfigFactory.parseMap(Map.of(
                        "pekko.persistence.journal.plugin", "jdbc-journal",
                        "pekko.persistence.snapshot-store.plugin", "jdbc-snapshot-store",
                        "jdbc-journal.use-shared-db", "slick",
                        "jdbc-snapshot-store.use-shared-db", "slick",
                        "jdbc-read-journal.use-shared-db", "slick",
                        // Replays a search in pages this large (the default 400 is tuned for many small entities).
                        "jdbc-journal.replayBatchSize", 2000))
                .withValue(
                        "pekko-persistence-jdbc.shared-databases.slick.profile",
                        ConfigValueFactory.fromAnyRef(
                                isPostgres() ? "slick.jdbc.PostgresProfile$" : "slick.jdbc.H2Profile$"))
                .withFallback(ConfigFactory.parseMap(Map.of("pekko-persistence-jdbc.shared-databases.slick.db", db)))
                .withFallback(retry);
    }

    /**
     * Opens one plain JDBC connection and closes it: a journal that cannot be opened (a wrong host
     * or password, a database that is down, a directory that cannot be written) fails here within
     * {@link #OPEN_TIMEOUT}, with the driver's reason, before a connection pool would retry it for
     * half a minute and log every try.
     */
    public void probe() {
        if (url == null) {
            return;
        }
        java.sql.DriverManager.setLoginTimeout((int) OPEN_TIMEOUT.toSeconds());
        // H2 would print its own trace of the failure on stderr: the message below says it all.
        String probeUrl = url.startsWith("jdbc:h2:") ? url + ";TRACE_LEVEL_FILE=0" : url;
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(probeUrl)) {
            connection.isValid((int) OPEN_TIMEOUT.toSeconds());
        } catch (java.sql.SQLException e) {
            String reason = e.getMessage() != null
                    ? e.getMessage().lines().findFirst().orElse("").strip()
                    : e.toString();
            throw new IllegalArgumentException("cannot open the journal " + describe() + ": " + reason, e);
        }
    }

    /**
     * Creates the journal's tables if they are missing (a new journal), after {@link #probe()}
     * found the database. A resumed run's journal is opened as it is.
     *
     * <p>The actor system is not needed (the tables are created over plain JDBC, see
     * {@link #createSchema()}); this overload is kept so that callers compile unchanged.
     */
    public void createSchema(ActorSystem<?> system) {
        createSchema();
    }

    /**
     * Creates the journal's tables if they are missing, by running the DDL that
     * {@code pekko-persistence-jdbc} ships for the database ({@link #DDL_H2}, {@link #DDL_POSTGRES})
     * over one plain JDBC connection, statement by statement (see {@link #schemaStatements}). It
     * can run any number of times: the shipped DDL creates its tables and sequence
     * {@code IF NOT EXISTS}, and its indexes are given {@code IF NOT EXISTS} here. On PostgreSQL the
     * script is one transaction, and nodes of a cluster that start together take turns (an advisory
     * lock held until it commits), since two concurrent {@code CREATE TABLE IF NOT EXISTS} of one
     * table can still fail. A statement that fails fails the command, naming the database's reason.
     */
    public void createSchema() {
        if (url == null) {
            return;
        }
        probe();
        boolean postgres = isPostgres();
        List<String> statements = schemaStatements(postgres ? DDL_POSTGRES : DDL_H2);
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement()) {
            statement.setQueryTimeout((int) SCHEMA_TIMEOUT.toSeconds());
            if (postgres) {
                connection.setAutoCommit(false);
                statement.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
            }
            for (String sql : statements) {
                statement.execute(sql);
            }
            if (postgres) {
                connection.commit(); // a failure before this rolls everything back when the connection closes
            }
        } catch (SQLException e) {
            String reason = e.getMessage() != null
                    ? e.getMessage().lines().findFirst().orElse("").strip()
                    : e.toString();
            throw new IllegalArgumentException(
                    "cannot open the journal " + describe() + ": cannot create its tables: " + reason, e);
        }
    }

    /** The DDL of {@code pekko-persistence-jdbc} (in its jar) for H2. */
    static final String DDL_H2 = "schema/h2/h2-create-schema.sql";
    /** The DDL of {@code pekko-persistence-jdbc} (in its jar) for PostgreSQL. */
    static final String DDL_POSTGRES = "schema/postgres/postgres-create-schema.sql";
    /** How long one DDL statement may take (as long as the plugin's own schema creation was given). */
    static final Duration SCHEMA_TIMEOUT = Duration.ofMinutes(1);
    /** The PostgreSQL advisory lock nodes take in turn while creating the tables (any fixed number). */
    static final long SCHEMA_LOCK = 0x4172636869L; // "Archi"

    private static final Pattern CREATE_INDEX = Pattern.compile(
            "^CREATE\\s+(UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?",
            Pattern.CASE_INSENSITIVE);

    /**
     * The statements of a DDL resource, in order, each made safe to run again: comments and blank
     * statements dropped, and every {@code CREATE INDEX} made {@code CREATE INDEX IF NOT EXISTS}
     * (H2 and PostgreSQL both accept it). PostgreSQL's DDL creates two indexes
     * {@code CONCURRENTLY}, which is dropped: the index is created with its new, empty table (or
     * exists already), and {@code CONCURRENTLY} can neither run inside the script's transaction nor
     * wait for a node that waits for its turn at the lock.
     */
    static List<String> schemaStatements(String resource) {
        String script;
        try (InputStream in = JournalSettings.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the journal's DDL " + resource
                        + " is not on the class path (pekko-persistence-jdbc's jar ships it)");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal's DDL " + resource, e);
        }
        List<String> statements = new ArrayList<>();
        for (String part : script.split(";")) {
            String sql = part.lines()
                    .filter(line -> !line.strip().startsWith("--"))
                    .collect(Collectors.joining("\n"))
                    .strip();
            if (!sql.isEmpty()) {
                statements.add(CREATE_INDEX.matcher(sql).replaceFirst("CREATE $1INDEX IF NOT EXISTS "));
            }
        }
        return statements;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return describe();
    }
}
