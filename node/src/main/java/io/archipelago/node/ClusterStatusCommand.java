package io.archipelago.node;

import io.archipelago.node.bench.BenchOutput;
import io.archipelago.node.cluster.ClusterOptions;
import io.archipelago.node.cluster.NodeAgent;
import io.archipelago.node.engine.ClientMember;
import io.archipelago.node.engine.Engine;
import io.archipelago.proto.EvaluatorPoolStatus;
import io.archipelago.proto.NodeStatus;
import io.archipelago.proto.NodeStatusRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago cluster status}: joins the cluster for a moment as a member without roles,
 * asks every node's agent for its status, prints members with roles, evaluator slots and busy
 * slots, and leaves.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "List the cluster's members, their roles, evaluator slots and in-flight work.")
public final class ClusterStatusCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(
            names = "--timeout",
            defaultValue = "20",
            paramLabel = "SECONDS",
            description = "Seconds to wait for joining the cluster (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(
            names = "--json",
            description = "End with one JSON line: members with address, status, roles, pools, evaluations.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Duration timeout = Duration.ofMillis((long) (timeoutSeconds * 1000));
        try (Engine engine = ClientMember.join(cluster, timeout)) {
            report(engine);
        }
        return 0;
    }

    private void report(Engine engine) throws InterruptedException, ExecutionException {
        ActorSystem<Void> system = engine.system();
        Cluster membership = Cluster.get(Adapter.toClassic(system));
        List<Member> members = new ArrayList<>();
        for (Member member : membership.state().getMembers()) {
            if (!member.address().equals(membership.selfAddress())) {
                members.add(member);
            }
        }
        Map<String, NodeStatus> statuses = statuses(system, members.size());
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                Locale.ROOT,
                "%-40s %-8s %-22s %-14s %5s %12s%n",
                "MEMBER",
                "STATUS",
                "ROLES",
                "SLOTS",
                "BUSY",
                "EVALUATIONS");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Member member : members) {
            String address = member.address().toString();
            NodeStatus status = statuses.get(address);
            String roles = member.getRoles().stream()
                    .filter(r -> !r.startsWith("dc-"))
                    .sorted()
                    .collect(Collectors.joining(","));
            String slots = status == null
                    ? "?"
                    : status.getPoolsList().stream()
                            .map(p -> p.getKind() + ":" + p.getSlots())
                            .collect(Collectors.joining(","));
            int busy = status == null
                    ? 0
                    : status.getPoolsList().stream()
                            .mapToInt(EvaluatorPoolStatus::getBusy)
                            .sum();
            String state = member.status().toString() + (status != null && status.getDraining() ? "*" : "");
            out.printf(
                    Locale.ROOT,
                    "%-40s %-8s %-22s %-14s %5s %12s%n",
                    address,
                    state,
                    roles.isEmpty() ? "-" : roles,
                    slots.isEmpty() ? "-" : slots,
                    status == null ? "?" : busy,
                    status == null ? "?" : status.getEvaluations());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("address", address);
            row.put("status", member.status().toString());
            row.put("roles", roles.isEmpty() ? List.of() : List.of(roles.split(",")));
            if (status != null) {
                List<Map<String, Object>> pools = new ArrayList<>();
                for (EvaluatorPoolStatus pool : status.getPoolsList()) {
                    pools.add(BenchOutput.ordered(
                            "kind", pool.getKind(), "slots", pool.getSlots(), "busy", pool.getBusy()));
                }
                row.put("pools", pools);
                row.put("draining", status.getDraining());
                row.put("evaluations", status.getEvaluations());
                row.put("uptime_seconds", status.getUptimeSeconds());
            }
            rows.add(row);
        }
        out.println("(* draining; ? the node's agent did not answer)");
        if (json) {
            BenchOutput.json(out, Map.of("members", rows));
        }
        out.flush();
    }

    /** Every other node's status, by address; waits up to ~5 s for the Receptionist to list their agents. */
    static Map<String, NodeStatus> statuses(ActorSystem<Void> system, int others)
            throws InterruptedException, ExecutionException {
        Duration ask = Duration.ofSeconds(3);
        Set<ActorRef<NodeStatusRequest>> agents = Set.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String self = system.address().toString();
        while (System.nanoTime() < deadline) {
            Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
                            system.receptionist(),
                            replyTo -> Receptionist.find(NodeAgent.SERVICE_KEY, replyTo),
                            ask,
                            system.scheduler())
                    .toCompletableFuture()
                    .get();
            agents = listing.getServiceInstances(NodeAgent.SERVICE_KEY);
            long remote = agents.stream()
                    .filter(a -> !a.path().address().toString().equals(self)
                            && a.path().address().hasGlobalScope())
                    .count();
            if (remote >= others) {
                break;
            }
            Thread.sleep(250);
        }
        ActorRefResolver resolver = ActorRefResolver.get(system);
        Map<String, CompletableFuture<NodeStatus>> asked = new HashMap<>();
        for (ActorRef<NodeStatusRequest> agent : agents) {
            if (!agent.path().address().hasGlobalScope()) {
                continue; // this command's own agent
            }
            asked.put(
                    agent.path().address().toString(),
                    AskPattern.<NodeStatusRequest, NodeStatus>ask(
                                    agent,
                                    replyTo -> NodeStatusRequest.newBuilder()
                                            .setReplyTo(resolver.toSerializationFormat(replyTo))
                                            .build(),
                                    ask,
                                    system.scheduler())
                            .toCompletableFuture());
        }
        Map<String, NodeStatus> statuses = new HashMap<>();
        for (Map.Entry<String, CompletableFuture<NodeStatus>> entry : asked.entrySet()) {
            try {
                statuses.put(entry.getKey(), entry.getValue().get());
            } catch (ExecutionException noAnswer) {
                // reported as "?" in the table
            }
        }
        return statuses;
    }
}
