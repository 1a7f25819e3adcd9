package io.archipelago.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.node.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bench cluster-throughput} and {@code bench scaling} end to end at tiny sizes: real cluster
 * members in this JVM on loopback ports, one test per transport.
 */
class ClusterBenchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {
        JsonNode lastLineJson() throws Exception {
            String[] lines = out.strip().split("\n");
            return JSON.readTree(lines[lines.length - 1]);
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    @Timeout(120)
    void clusterThroughputOverTcpReportsCandidatesPerSecond() throws Exception {
        Run run = run(
                "bench",
                "cluster-throughput",
                "--nodes",
                "3",
                "--transport",
                "tcp",
                "--candidates",
                "2000",
                "--slots",
                "4",
                "--warmup-seconds",
                "0",
                "--base-port",
                Integer.toString(io.archipelago.node.ChildJvmPorts.freePorts(3)),
                "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = run.lastLineJson();
        assertEquals("tcp", json.get("transport").asText());
        assertEquals(3, json.get("nodes").asInt());
        assertEquals(4, json.get("slots_per_node").asInt());
        assertEquals(2000, json.get("candidates").asInt());
        assertEquals(400, json.get("warmup_candidates").asInt(), "one warm-up run of candidates/5");
        assertTrue(json.get("seconds").asDouble() > 0, json.toString());
        double perSecond = json.get("candidates_per_second").asDouble();
        assertTrue(perSecond > 0 && Double.isFinite(perSecond), json.toString());
        assertEquals(json.get("candidates").asDouble() / json.get("seconds").asDouble(), perSecond, perSecond * 1e-9);
    }

    @Test
    @Timeout(120)
    void scalingOverAeronUdpReportsEveryNodeCountAndEfficiency() throws Exception {
        Run run = run(
                "bench",
                "scaling",
                "--max-nodes",
                "2",
                "--eval-time",
                "100ms",
                "--slots",
                "2",
                "--candidates-per-slot",
                "3",
                "--transport",
                "aeron-udp",
                "--base-port",
                Integer.toString(io.archipelago.node.ChildJvmPorts.freePorts(3)),
                "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = run.lastLineJson();
        assertEquals("aeron-udp", json.get("transport").asText());
        assertEquals("100ms", json.get("eval_time").asText());
        assertEquals(2, json.get("slots_per_node").asInt());
        JsonNode perNodes = json.get("per_nodes");
        assertEquals(2, perNodes.size(), json.toString());
        for (int i = 0; i < perNodes.size(); i++) {
            assertEquals(i + 1, perNodes.get(i).get("nodes").asInt());
            double perSecond = perNodes.get(i).get("candidates_per_second").asDouble();
            // Sleep-bound: at most slots * nodes / eval-time = 20 per node, less the overheads.
            assertTrue(perSecond > 0 && perSecond <= 20.0 * (i + 1) * 1.05, json.toString());
        }
        double efficiency = json.get("efficiency").asDouble();
        assertTrue(efficiency > 0 && efficiency < 1.5, json.toString());
    }

    @Test
    void optionsAreValidatedByName() {
        Run nodes = run("bench", "cluster-throughput", "--nodes", "1");
        assertEquals(Main.USAGE, nodes.exit());
        assertTrue(nodes.err().contains("--nodes"), nodes.err());
        Run candidates = run("bench", "cluster-throughput", "--candidates", "0");
        assertEquals(Main.USAGE, candidates.exit());
        assertTrue(candidates.err().contains("--candidates"), candidates.err());
        Run slots = run("bench", "scaling", "--slots", "0");
        assertEquals(Main.USAGE, slots.exit());
        assertTrue(slots.err().contains("--slots"), slots.err());
    }
}
