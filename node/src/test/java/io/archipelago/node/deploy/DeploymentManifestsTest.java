package io.archipelago.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/kubernetes/ and deploy/docker/ against the code: ports, roles, labels, the variables the
 * entry point reads, probes, RBAC, disruption budgets, the journal's Secret and the drain's
 * configuration. Each check is shown to fail on a copy of the manifests broken on purpose.
 */
class DeploymentManifestsTest {
    private static final DeployFiles DEPLOY = DeployFiles.find();

    @TempDir
    Path work;

    private static Manifests manifests() {
        return Manifests.load(DEPLOY.kubernetes);
    }

    @Test
    void theManifestsPassEveryCheck() {
        ManifestChecks checks = new ManifestChecks(DEPLOY, work);
        List<String> problems = checks.all(manifests());
        assertEquals(List.of(), problems, String.join("\n", problems));
        if (!checks.skippedOptions.isEmpty()) {
            System.out.println("DeploymentManifestsTest: `node` has no " + checks.skippedOptions
                    + " yet; the argument check left them out");
        }
    }

    @Test
    void theManifestsHoldWhatADeploymentNeeds() {
        Manifests m = manifests();
        assertEquals(
                3,
                m.get("StatefulSet", "archipelago-controller")
                        .at("/spec/replicas")
                        .asInt());
        assertTrue(m.find("StatefulSet", "archipelago-postgres").isPresent());
        assertTrue(m.find("Deployment", "archipelago-evaluator-tabular").isPresent());
        assertTrue(m.find("Deployment", "archipelago-evaluator-teg").isPresent());
        assertTrue(m.find("Deployment", "archipelago-gateway").isPresent());
        assertTrue(m.find("Service", "archipelago-gateway").isPresent());
        assertEquals(3, m.ofKind("PodDisruptionBudget").size());
        assertEquals(List.of("archipelago"), List.copyOf(ManifestChecks.podReaders(m)));
        assertEquals(4, ManifestChecks.nodeWorkloads(m).size()); // not PostgreSQL
    }

    record Mutation(String what, Consumer<Manifests> change, String expected) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static ObjectNode node(Manifests m, String kind, String name) {
        return (ObjectNode) ManifestChecks.nodeContainer(m.get(kind, name));
    }

    private static void setEnv(Manifests m, String kind, String name, String variable, String value) {
        ArrayNode env = (ArrayNode) node(m, kind, name).get("env");
        for (JsonNode entry : env) {
            if (entry.path("name").asText().equals(variable)) {
                ((ObjectNode) entry).put("value", value);
                return;
            }
        }
        env.addObject().put("name", variable).put("value", value);
    }

    static Stream<Mutation> mutations() {
        String controller = "archipelago-controller";
        String tabular = "archipelago-evaluator-tabular";
        return Stream.of(
                new Mutation(
                        "the remoting port is not the node's port",
                        m -> ((ObjectNode) Manifests.port(node(m, "StatefulSet", controller), "remoting"))
                                .put("containerPort", 2552),
                        "container port 'remoting'"),
                new Mutation(
                        "the cluster port is not the code's default",
                        m -> setEnv(m, "StatefulSet", controller, "ARCHIPELAGO_PORT", "2552"),
                        "!= the node's default 2551"),
                new Mutation(
                        "the management port is renamed",
                        m -> ((ObjectNode) Manifests.port(node(m, "Deployment", tabular), "management"))
                                .put("name", "http"),
                        "container port 'management'"),
                new Mutation(
                        "an unknown role",
                        m -> setEnv(m, "Deployment", tabular, "ARCHIPELAGO_ROLES", "evaluator,trainer"),
                        "unknown role 'trainer'"),
                new Mutation(
                        "a variable nothing reads",
                        m -> setEnv(m, "Deployment", tabular, "ARCHIPELAGO_SLOT", "1"),
                        "sets ARCHIPELAGO_SLOT, which neither"),
                new Mutation(
                        "a required variable missing",
                        m -> ((ArrayNode) node(m, "Deployment", tabular).get("env"))
                                .removeIf(e -> e.path("name").asText().equals("ARCHIPELAGO_ROLES")),
                        "does not set the required ARCHIPELAGO_ROLES"),
                new Mutation(
                        "an option the node does not have",
                        m -> ((ObjectNode) node(m, "Deployment", "archipelago-evaluator-teg"))
                                .putArray("args")
                                .add("--no-such-option"),
                        "does not parse"),
                new Mutation(
                        "the readiness probe on another path",
                        m -> ((ObjectNode) node(m, "Deployment", tabular).at("/readinessProbe/httpGet"))
                                .put("path", "/healthz"),
                        "readinessProbe asks /healthz"),
                new Mutation(
                        "the liveness probe on the remoting port",
                        m -> ((ObjectNode) node(m, "StatefulSet", controller).at("/livenessProbe/httpGet"))
                                .put("port", "remoting"),
                        "livenessProbe is on port"),
                new Mutation(
                        "a pod's app label is not the discovery service",
                        m -> ((ObjectNode) m.get("Deployment", tabular).at("/spec/template/metadata/labels"))
                                .put("app", "archipelago-evaluators"),
                        "!= ARCHIPELAGO_DISCOVERY_SERVICE"),
                new Mutation(
                        "the discovery service is not the pods' label",
                        m -> setEnv(m, "StatefulSet", controller, "ARCHIPELAGO_DISCOVERY_SERVICE", "nas"),
                        "!= ARCHIPELAGO_DISCOVERY_SERVICE nas"),
                new Mutation(
                        "a Service selects no pods",
                        m -> ((ObjectNode)
                                        m.get("Service", "archipelago-gateway").at("/spec/selector"))
                                .put("app.kubernetes.io/component", "gateways"),
                        "matches no pod template"),
                new Mutation(
                        "the Role cannot watch pods",
                        m -> ((ArrayNode)
                                        m.get("Role", "archipelago-pod-reader").at("/rules/0/verbs"))
                                .removeAll()
                                .add("get")
                                .add("list"),
                        "may get, watch and list pods"),
                new Mutation(
                        "a PodDisruptionBudget selects nothing",
                        m -> ((ObjectNode) m.get("PodDisruptionBudget", "archipelago-evaluator-teg")
                                        .at("/spec/selector/matchLabels"))
                                .put("archipelago.io/evaluator", "tegs"),
                        "no PodDisruptionBudget covers it"),
                new Mutation(
                        "too short a grace period for the drain",
                        m -> ((ObjectNode) Manifests.podSpec(m.get("Deployment", tabular)))
                                .put("terminationGracePeriodSeconds", 30),
                        "terminationGracePeriodSeconds 30 <"),
                new Mutation(
                        "slots do not match the CPU request",
                        m -> setEnv(m, "Deployment", tabular, "ARCHIPELAGO_SLOTS", "4"),
                        "ARCHIPELAGO_SLOTS 4 != its CPU request"),
                new Mutation(
                        "the journal URL's password is not the database's",
                        m -> ((ObjectNode)
                                        m.get("Secret", "archipelago-journal").get("stringData"))
                                .put(
                                        "url",
                                        "jdbc:postgresql://archipelago-postgres:5432/archipelago?user=archipelago&password=x"),
                        "POSTGRES_PASSWORD does not match the journal URL"),
                new Mutation(
                        "the gateway's token Secret is missing",
                        m -> m.files
                                .get("secrets.yaml")
                                .removeIf(s -> s.at("/metadata/name").asText().equals("archipelago-worker-token")),
                        "which is not defined"),
                new Mutation(
                        "the aeron-udp transport in a pod",
                        m -> setEnv(m, "StatefulSet", controller, "ARCHIPELAGO_TRANSPORT", "aeron-udp"),
                        "use tcp or tls-tcp in pods"),
                new Mutation(
                        "a namespace in the RoleBinding's subject",
                        m -> ((ObjectNode) m.get("RoleBinding", "archipelago-pod-reader")
                                        .at("/subjects/0"))
                                .put("namespace", "default"),
                        "a subject names a namespace"),
                new Mutation(
                        "Prometheus scrapes another port",
                        m -> ((ObjectNode) m.get("Deployment", "archipelago-gateway")
                                        .at("/spec/template/metadata/annotations"))
                                .put("prometheus.io/port", "50051"),
                        "prometheus.io/port and /path annotations"),
                new Mutation(
                        "a namespace in a manifest",
                        m -> ((ObjectNode)
                                        m.get("ServiceAccount", "archipelago").get("metadata"))
                                .put("namespace", "nas"),
                        "names a namespace"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutations")
    void eachCheckCatchesABrokenCopy(Mutation mutation) {
        Manifests broken = manifests().copy();
        mutation.change().accept(broken);
        List<String> problems = new ManifestChecks(DEPLOY, work).all(broken);
        assertTrue(
                problems.stream().anyMatch(p -> p.contains(mutation.expected())),
                mutation.what() + ": expected a problem with '" + mutation.expected() + "', got:\n"
                        + String.join("\n", problems));
    }
}
