package io.archipelago.node.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.archipelago.core.fuzz.Fuzz;
import io.archipelago.node.cluster.ClusterSettings;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.cluster.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: the HOCON file of {@code --cluster-config}, which every node, {@code search
 * --cluster}, {@code cluster status} and the dashboard read. A drawn file (garbage, random bytes,
 * or an edited copy of a real one: cut, spliced, a value replaced) either gives the node a
 * configuration, or is refused with an {@link IllegalArgumentException} (exit 2) whose one-line
 * message names {@code --cluster-config}; never another exception, never a hang. {@value #TRIES}
 * tries from a fixed seed; {@code -Darchipelago.fuzz.seconds=N} runs N seconds from a random one
 * (see {@link Fuzz}).
 */
class ClusterConfigFuzzTest {
    static final int TRIES = 300;

    /** A --cluster-config as users write them: the contract test's, a shared journal, the lease, TLS. */
    static final String TEMPLATE = """
            # shared by every node of the cluster
            archipelago.node.drain-timeout = 20 s
            archipelago.journal.url = "jdbc:postgresql://db:5432/archipelago?user=nas"
            pekko {
              loglevel = "WARNING"
              cluster.min-nr-of-members = 2
              cluster.split-brain-resolver.stable-after = 7s
              remote.artery.advanced.maximum-frame-size = 2 MiB
              remote.artery.ssl.config-ssl-engine.key-store = ${?ARCHIPELAGO_KEY_STORE}
            }
            timeouts = [1, 2.5, "3 s"]
            """;

    private static final String ALPHABET = "{}[]=:\"$?.,#\n\t /-+0123456789abcdeiklmnprstuvy_\\\u0000é";
    private static final String[] WORDS = {
        "${",
        "}",
        "${?x}",
        "${pekko.loglevel}",
        "${nope}",
        "include \"x.conf\"",
        "include file(\"/nope\")",
        "= {",
        "[",
        "\"",
        "\"\"\"",
        "null",
        "true",
        "1e999",
        "archipelago.journal.url = ",
        "pekko.cluster.roles = 7",
        "+=",
        "\n"
    };

    private static Path dir;
    private static Config fallback;

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("cluster-config-fuzz");
        fallback = ConfigFactory.load();
    }

    @AfterAll
    static void tearDown() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Inputs found by fuzzing or written by hand, kept so that they stay answered well. */
    static final List<String> REGRESSIONS = List.of(
            "pekko { remote = [ \n",
            "archipelago.journal.url = { a = 1 }\n",
            "a = ${nope}\n",
            "x = ${pekko.cluster.min-nr-of-members}\n",
            "include file(\"/nope/nothing.conf\")\n",
            "\u0000",
            "");

    private static Fuzz.Gen<String> files() {
        return Fuzz.oneOf(
                random -> Fuzz.string(random, ALPHABET, 200),
                random -> new String(Fuzz.anyBytes(random, 300), StandardCharsets.ISO_8859_1),
                random -> edited(random, TEMPLATE));
    }

    /** The template with a few cuts, splices of its own text, and drawn words or characters put in. */
    private static String edited(SplittableRandom random, String text) {
        StringBuilder s = new StringBuilder(text);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && s.length() > 0; e++) {
            int at = random.nextInt(s.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(12)));
                case 1 -> s.insert(at, Fuzz.pick(random, List.of(WORDS)));
                case 2 -> s.insert(at, Fuzz.string(random, ALPHABET, 6));
                default -> {
                    int from = random.nextInt(text.length());
                    s.insert(at, text, from, Math.min(text.length(), from + random.nextInt(30)));
                }
            }
        }
        return s.toString();
    }

    static void acceptedOrRefusedInOneLine(String text) {
        Path file = dir.resolve("cluster.conf");
        try {
            Files.writeString(file, text, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ClusterSettings settings =
                new ClusterSettings(Transport.TCP, "127.0.0.1", 0, List.of(), Set.of(NodeRole.EVALUATOR), file);
        try {
            settings.configuredJournal();
            Config config = settings.config(fallback, dir.resolve("aeron"));
            assertNotNull(config.getString("pekko.remote.artery.canonical.hostname"));
        } catch (IllegalArgumentException refused) {
            String message = refused.getMessage();
            assertNotNull(message, "a refusal without a message");
            assertTrue(message.startsWith("--cluster-config"), message);
            assertFalse(message.isBlank());
        } catch (RuntimeException | Error other) {
            fail("not refused as bad input: " + other, other);
        }
    }

    @Test
    void regressions() {
        REGRESSIONS.forEach(ClusterConfigFuzzTest::acceptedOrRefusedInOneLine);
    }

    @Test
    void anyFile() {
        Fuzz.check("cluster-config", 27, TRIES, files(), ClusterConfigFuzzTest::acceptedOrRefusedInOneLine);
    }
}
