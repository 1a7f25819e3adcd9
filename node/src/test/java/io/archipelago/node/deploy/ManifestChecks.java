package io.archipelago.node.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.archipelago.node.Main;
import io.archipelago.node.cluster.NodeRole;
import io.archipelago.node.cluster.Transport;
import io.archipelago.node.setup.WorkerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The checks of {@code deploy/}: each returns what it found wrong, as lines naming the object, so
 * that a test can show a check fails on a broken copy of the manifests.
 */
final class ManifestChecks {
    /**
     * Pekko Management's HTTP port in the manifests and the image, passed with --management (Pekko
     * Management's own default is 7626; 8558 is the port Akka Management and its Kubernetes examples use).
     */
    static final int MANAGEMENT_PORT = 8558;

    static final String LIVENESS_PATH = "/alive";
    static final String READINESS_PATH = "/ready";
    /** The image name the kustomization rewrites; every Archipelago container runs it. */
    static final String IMAGE = "archipelago";
    /** Options of `node` another part of issue 24 adds; until they exist, the argument check skips them. */
    static final List<String> PENDING_OPTIONS = List.of("--management", "--discovery", "--discovery-service");

    private static final String DRAIN_TIMEOUT = "archipelago.node.drain-timeout";
    private static final String HAND_BACK_GRACE = "archipelago.node.hand-back-grace";
    private static final String UNBIND_TIMEOUT = "pekko.coordinated-shutdown.phases.before-service-unbind.timeout";
    private static final String POD_IP = "10.0.0.7";

    private static final Map<List<String>, DeployFiles.Run> RUNS = new java.util.concurrent.ConcurrentHashMap<>();

    final DeployFiles deploy;
    final Path work;
    /** Options the argument check dropped because `node` does not have them yet. */
    final Set<String> skippedOptions = new TreeSet<>();

    ManifestChecks(DeployFiles deploy, Path work) {
        this.deploy = deploy;
        this.work = work;
    }

    /** The command line's model, built once (it is the costly part of a check). */
    private static CommandLine cli;

    private static synchronized CommandLine cli() {
        if (cli == null) {
            cli = new CommandLine(Main.class);
        }
        return cli;
    }

    static CommandSpec nodeSpec() {
        return cli().getSubcommands().get("node").getCommandSpec();
    }

    static int clusterPortDefault() {
        return Integer.parseInt(nodeSpec().findOption("--port").defaultValue());
    }

    static Set<String> roleIds() {
        Set<String> ids = new TreeSet<>();
        for (NodeRole role : NodeRole.values()) {
            ids.add(role.id());
        }
        ids.add("none");
        return ids;
    }

    static Set<String> transportIds() {
        Set<String> ids = new TreeSet<>();
        for (Transport transport : Transport.values()) {
            ids.add(transport.id());
        }
        return ids;
    }

    /** cluster-conf/cluster.conf as the jar ships it. */
    static Config clusterConf() {
        Config config = ConfigFactory.parseResources("cluster-conf/cluster.conf");
        if (config.isEmpty()) {
            throw new IllegalStateException("no cluster-conf/cluster.conf on the class path");
        }
        return config;
    }

    private static Config reference;

    private static synchronized Config reference() {
        if (reference == null) {
            reference = ConfigFactory.defaultReference();
        }
        return reference;
    }

    List<String> all(Manifests m) {
        List<String> problems = new ArrayList<>();
        problems.addAll(kustomization(m));
        problems.addAll(entrypointAgainstCode());
        problems.addAll(dockerfile(m));
        problems.addAll(workloadSelectors(m));
        problems.addAll(nodePods(m));
        problems.addAll(services(m));
        problems.addAll(rbac(m));
        problems.addAll(disruptionBudgets(m));
        problems.addAll(secrets(m));
        problems.addAll(journal(m));
        problems.addAll(managementConfig());
        return problems;
    }

    /** The kustomization lists every manifest, each parses, and none names a namespace. */
    List<String> kustomization(Manifests m) {
        List<String> problems = new ArrayList<>();
        Set<String> listed = new TreeSet<>(m.files.keySet());
        if (!listed.equals(new TreeSet<>(m.filesInFolder))) {
            problems.add("kustomization.yaml lists " + listed + ", the folder holds " + m.filesInFolder);
        }
        for (ObjectNode object : m.all()) {
            if (object.path("apiVersion").asText().isEmpty()
                    || object.path("kind").asText().isEmpty()
                    || object.path("metadata").path("name").asText().isEmpty()) {
                problems.add("an object without apiVersion, kind or metadata.name: " + object);
            }
            if (object.path("metadata").has("namespace")) {
                problems.add(Manifests.name(object) + " names a namespace: the manifests are namespace-agnostic");
            }
        }
        boolean rewritesImage = false;
        for (JsonNode image : m.kustomization.path("images")) {
            rewritesImage |= IMAGE.equals(image.path("name").asText());
        }
        if (!rewritesImage) {
            problems.add("kustomization.yaml has no images entry for '" + IMAGE + "'");
        }
        return problems;
    }

    /** The script's lists, defaults and variables against the code and the script's own body. */
    List<String> entrypointAgainstCode() {
        List<String> problems = new ArrayList<>();
        if (!new TreeSet<>(deploy.constantWords("KNOWN_ROLES")).equals(roleIds())) {
            problems.add("entrypoint.sh KNOWN_ROLES " + deploy.constantWords("KNOWN_ROLES") + " != NodeRole ids "
                    + roleIds());
        }
        if (!new TreeSet<>(deploy.constantWords("KNOWN_TRANSPORTS")).equals(transportIds())) {
            problems.add("entrypoint.sh KNOWN_TRANSPORTS " + deploy.constantWords("KNOWN_TRANSPORTS")
                    + " != Transport ids " + transportIds());
        }
        Set<String> discovery = discoveryIds();
        if (discovery != null && !new TreeSet<>(deploy.constantWords("KNOWN_DISCOVERY")).equals(discovery)) {
            problems.add("entrypoint.sh KNOWN_DISCOVERY " + deploy.constantWords("KNOWN_DISCOVERY")
                    + " != node --discovery's methods " + discovery);
        }
        if (Integer.parseInt(deploy.constant("DEFAULT_PORT")) != clusterPortDefault()) {
            problems.add("entrypoint.sh DEFAULT_PORT " + deploy.constant("DEFAULT_PORT") + " != node --port's default "
                    + clusterPortDefault());
        }
        Map<String, String> table = deploy.variables();
        Set<String> read = deploy.variablesReadByScript();
        Set<String> readByNode = variablesReadByNode();
        for (Map.Entry<String, String> row : table.entrySet()) {
            String name = row.getKey();
            if (row.getValue().contains("read by the node")) {
                if (!readByNode.contains(name)) {
                    problems.add("entrypoint.sh says the node reads " + name + "; it does not (" + readByNode + ")");
                }
            } else if (!row.getValue().contains("read by ") && !read.contains(name)) {
                problems.add("entrypoint.sh documents " + name + " but does not read it");
            }
        }
        for (String name : read) {
            if ((name.startsWith("ARCHIPELAGO_") || name.equals("JAVA_OPTS")) && !table.containsKey(name)) {
                problems.add("entrypoint.sh reads " + name + " but its table does not document it");
            }
        }
        return problems;
    }

    /**
     * The ids of node's --discovery methods (the enum OpsSettings.Discovery), or null while the node
     * has no such option (it comes with Pekko Management, another part of issue 24).
     */
    static Set<String> discoveryIds() {
        try {
            Class<?> type = Class.forName("io.archipelago.node.ops.OpsSettings$Discovery");
            Set<String> ids = new TreeSet<>();
            for (Object constant : type.getEnumConstants()) {
                ids.add((String) type.getMethod("id").invoke(constant));
            }
            return ids;
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The environment variables the node reads itself: the worker token, and ${?VAR} in cluster-conf/. */
    Set<String> variablesReadByNode() {
        Set<String> names = new TreeSet<>();
        names.add(WorkerOptions.TOKEN_VARIABLE);
        try (var confs = Files.list(deploy.root.resolve("cluster-conf"))) {
            for (Path conf : confs.filter(p -> p.toString().endsWith(".conf")).toList()) {
                Matcher m = Pattern.compile("\\$\\{\\??([A-Z][A-Z0-9_]*)}").matcher(DeployFiles.read(conf));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** The image: the ports it exposes, where the script and the jar land, a non-root user the pods run as. */
    List<String> dockerfile(Manifests m) {
        List<String> problems = new ArrayList<>();
        List<String> from = deploy.dockerfile("FROM");
        if (from.size() != 1 || !from.get(0).startsWith("eclipse-temurin:17")) {
            problems.add("Dockerfile: FROM " + from + ", expected eclipse-temurin:17-jre");
        }
        Set<Integer> exposed = new TreeSet<>();
        deploy.dockerfile("EXPOSE")
                .forEach(line -> Arrays.stream(line.split("\\s+"))
                        .forEach(p -> exposed.add(Integer.parseInt(p.replace("/tcp", "")))));
        Set<Integer> used = new TreeSet<>(List.of(clusterPortDefault(), MANAGEMENT_PORT));
        for (ObjectNode workload : nodeWorkloads(m)) {
            for (JsonNode port : nodeContainer(workload).path("ports")) {
                used.add(port.path("containerPort").asInt());
            }
        }
        if (!exposed.equals(used)) {
            problems.add("Dockerfile EXPOSE " + exposed + " != the ports the node containers use " + used);
        }
        String entrypointTarget = copyTarget("deploy/docker/entrypoint.sh");
        String jarTarget = copyTarget("node/target/archipelago.jar");
        if (!deploy.dockerfile("ENTRYPOINT").equals(List.of("[\"" + entrypointTarget + "\"]"))) {
            problems.add("Dockerfile ENTRYPOINT " + deploy.dockerfile("ENTRYPOINT") + " is not the exec form of "
                    + entrypointTarget);
        }
        if (!deploy.constant("DEFAULT_JAR").equals(jarTarget)) {
            problems.add("entrypoint.sh DEFAULT_JAR " + deploy.constant("DEFAULT_JAR") + " != where the image puts "
                    + "the jar, " + jarTarget);
        }
        String env = String.join(" ", deploy.dockerfile("ENV"));
        if (!env.contains("ARCHIPELAGO_JAR=" + jarTarget)) {
            problems.add("Dockerfile ENV does not set ARCHIPELAGO_JAR=" + jarTarget);
        }
        List<String> user = deploy.dockerfile("USER");
        String uid = user.isEmpty() ? "" : user.get(user.size() - 1).split(":")[0];
        if (!uid.matches("[1-9][0-9]*")) {
            problems.add("Dockerfile USER " + user + ": a numeric non-root uid is needed for runAsNonRoot");
        }
        for (ObjectNode workload : nodeWorkloads(m)) {
            JsonNode security = Manifests.podSpec(workload).path("securityContext");
            if (!security.path("runAsNonRoot").asBoolean()
                    || !security.path("runAsUser").asText().equals(uid)) {
                problems.add(Manifests.name(workload) + ": securityContext must be runAsNonRoot with runAsUser " + uid
                        + " (the image's USER)");
            }
        }
        return problems;
    }

    private String copyTarget(String source) {
        for (String copy : deploy.dockerfile("COPY")) {
            List<String> words = Arrays.stream(copy.split("\\s+"))
                    .filter(w -> !w.startsWith("--"))
                    .toList();
            if (words.size() == 2 && words.get(0).equals(source)) {
                return words.get(1);
            }
        }
        return "(no COPY of " + source + ")";
    }

    /** Each workload's selector picks its own pods, and no other workload's. */
    List<String> workloadSelectors(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode workload : m.workloads()) {
            Map<String, String> selector =
                    Manifests.strings(workload.path("spec").path("selector").path("matchLabels"));
            if (!Manifests.matches(selector, Manifests.podLabels(workload))) {
                problems.add(Manifests.name(workload) + ": selector " + selector + " does not match its pods' labels "
                        + Manifests.podLabels(workload));
            }
            for (ObjectNode other : m.workloads()) {
                if (other != workload && Manifests.matches(selector, Manifests.podLabels(other))) {
                    problems.add(Manifests.name(workload) + ": selector " + selector + " also matches the pods of "
                            + Manifests.name(other));
                }
            }
        }
        return problems;
    }

    /** The workloads whose pods run the Archipelago image. */
    static List<ObjectNode> nodeWorkloads(Manifests m) {
        return m.workloads().stream()
                .filter(w -> {
                    for (JsonNode c : Manifests.podSpec(w).path("containers")) {
                        if (c.path("image").asText().equals(IMAGE)) {
                            return true;
                        }
                    }
                    return false;
                })
                .toList();
    }

    static JsonNode nodeContainer(JsonNode workload) {
        for (JsonNode c : Manifests.podSpec(workload).path("containers")) {
            if (c.path("image").asText().equals(IMAGE)) {
                return c;
            }
        }
        throw new IllegalArgumentException(Manifests.name(workload) + " runs no " + IMAGE + " container");
    }

    /** Every pod of an Archipelago node: its variables, the options they become, ports, probes, labels, resources. */
    List<String> nodePods(Manifests m) {
        List<String> problems = new ArrayList<>();
        List<ObjectNode> nodes = nodeWorkloads(m);
        if (nodes.isEmpty()) {
            problems.add("no workload runs the " + IMAGE + " image");
        }
        for (ObjectNode workload : m.workloads()) {
            boolean member = "archipelago".equals(Manifests.podLabels(workload).get("app"));
            if (member != nodes.contains(workload)) {
                problems.add(Manifests.name(workload) + ": pods labelled app=archipelago must be exactly the "
                        + "Archipelago nodes (Cluster Bootstrap takes every such pod for a cluster member)");
            }
        }
        Set<String> components = new TreeSet<>();
        for (ObjectNode workload : nodes) {
            String name = Manifests.name(workload);
            JsonNode container = nodeContainer(workload);
            Map<String, String> labels = Manifests.podLabels(workload);
            components.add(labels.getOrDefault("app.kubernetes.io/component", ""));
            problems.addAll(variables(name, container));
            Map<String, String> env = resolvedEnv(m, container, problems, name);
            String roles = env.getOrDefault("ARCHIPELAGO_ROLES", "");
            Set<String> roleSet = new LinkedHashSet<>();
            for (String role : roles.split(",")) {
                roleSet.add(role.trim());
            }
            if (!roleIds().containsAll(roleSet)) {
                problems.add(name + ": ARCHIPELAGO_ROLES=" + roles + " names a role that is not one of " + roleIds());
            }
            String transport = env.get("ARCHIPELAGO_TRANSPORT");
            if (transport == null || !Set.of("tcp", "tls-tcp").contains(transport)) {
                problems.add(name + ": ARCHIPELAGO_TRANSPORT=" + transport + "; use tcp or tls-tcp in pods (aeron-udp's"
                        + " media driver needs ~200 MB of /dev/shm, a pod has 64 MB)");
            }
            // Cluster Bootstrap: Kubernetes API discovery of the pods labelled app=SERVICE.
            if (!"kubernetes-api".equals(env.get("ARCHIPELAGO_DISCOVERY"))) {
                problems.add(name + ": ARCHIPELAGO_DISCOVERY must be kubernetes-api, got "
                        + env.get("ARCHIPELAGO_DISCOVERY"));
            }
            String service = env.get("ARCHIPELAGO_DISCOVERY_SERVICE");
            if (service == null || !service.equals(labels.get("app"))) {
                problems.add(name + ": the pods' app label " + labels.get("app") + " != ARCHIPELAGO_DISCOVERY_SERVICE "
                        + service);
            }
            if (env.containsKey("ARCHIPELAGO_SEED_NODES")) {
                problems.add(name + ": seed nodes in Kubernetes: Cluster Bootstrap finds the nodes");
            }
            if (!"status.podIP"
                    .equals(Manifests.env(container, "POD_IP")
                            .path("valueFrom")
                            .path("fieldRef")
                            .path("fieldPath")
                            .asText())) {
                problems.add(name + ": POD_IP must come from the downward API (status.podIP): the node's address");
            }
            if (roleSet.contains(NodeRole.CONTROLLER.id()) && !env.containsKey("ARCHIPELAGO_JOURNAL_URL")) {
                problems.add(name + ": controllers need ARCHIPELAGO_JOURNAL_URL (the shared journal)");
            }
            if (roleSet.contains(NodeRole.GATEWAY.id())
                    && (!env.containsKey("ARCHIPELAGO_WORKER_PORT")
                            || !Manifests.env(container, WorkerOptions.TOKEN_VARIABLE)
                                    .path("valueFrom")
                                    .has("secretKeyRef"))) {
                problems.add(name + ": a gateway needs ARCHIPELAGO_WORKER_PORT and " + WorkerOptions.TOKEN_VARIABLE
                        + " from a Secret");
            }
            List<String> argv = nodeArguments(name, env, container, problems);
            if (argv != null) {
                problems.addAll(ports(name, container, argv));
            }
            problems.addAll(probes(name, container));
            JsonNode annotations =
                    workload.path("spec").path("template").path("metadata").path("annotations");
            if (!annotations.path("prometheus.io/port").asText().equals(String.valueOf(MANAGEMENT_PORT))
                    || !annotations.path("prometheus.io/path").asText().equals("/metrics")) {
                problems.add(name + ": prometheus.io/port and /path annotations must name the management port's "
                        + "/metrics");
            }
            problems.addAll(resources(name, workload, container, roleSet, env, labels));
            problems.addAll(gracePeriod(name, workload));
            String account =
                    Manifests.podSpec(workload).path("serviceAccountName").asText();
            if (!podReaders(m).contains(account)) {
                problems.add(name + ": its ServiceAccount '" + account + "' may not get/watch/list pods (Kubernetes "
                        + "API discovery needs it)");
            }
        }
        for (String needed : List.of("controller", "evaluator")) {
            if (!components.contains(needed)) {
                problems.add("no " + needed + " workload (app.kubernetes.io/component=" + needed + ")");
            }
        }
        return problems;
    }

    /** The variables a node container sets: each one the entry point (or the node) reads; the required ones set. */
    List<String> variables(String name, JsonNode container) {
        List<String> problems = new ArrayList<>();
        Set<String> known = deploy.variables().keySet();
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode entry : container.path("env")) {
            String variable = entry.path("name").asText();
            if (!seen.add(variable)) {
                problems.add(name + ": sets " + variable + " twice");
            }
            if (!known.contains(variable)) {
                problems.add(name + ": sets " + variable + ", which neither entrypoint.sh nor the node reads");
            }
        }
        for (String required : deploy.requiredVariables()) {
            if (!seen.contains(required)) {
                problems.add(name + ": does not set the required " + required);
            }
        }
        if (container.has("command")) {
            problems.add(name + ": overrides the image's entry point (command:); pass extra options as args:");
        }
        return problems;
    }

    /** The container's variables as the pod sees them: literal values, the pod IP, Secret values. */
    Map<String, String> resolvedEnv(Manifests m, JsonNode container, List<String> problems, String name) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode entry : container.path("env")) {
            String variable = entry.path("name").asText();
            if (entry.has("value")) {
                env.put(variable, entry.get("value").asText());
                continue;
            }
            JsonNode from = entry.path("valueFrom");
            if (from.has("fieldRef")) {
                env.put(
                        variable,
                        from.path("fieldRef").path("fieldPath").asText().equals("status.podIP") ? POD_IP : "x");
            } else if (from.has("secretKeyRef")) {
                String secret = from.path("secretKeyRef").path("name").asText();
                String key = from.path("secretKeyRef").path("key").asText();
                String value = secretValue(m, secret, key);
                if (value == null) {
                    problems.add(name + ": " + variable + " comes from Secret " + secret + " key " + key
                            + ", which the manifests do not define");
                    value = "x";
                }
                env.put(variable, value);
            } else {
                problems.add(name + ": " + variable + " has neither a value nor a fieldRef/secretKeyRef");
            }
        }
        return env;
    }

    static String secretValue(Manifests m, String secret, String key) {
        return m.find("Secret", secret)
                .map(s -> {
                    JsonNode plain = s.path("stringData").path(key);
                    if (!plain.isMissingNode()) {
                        return plain.asText();
                    }
                    JsonNode encoded = s.path("data").path(key);
                    return encoded.isMissingNode()
                            ? null
                            : new String(java.util.Base64.getDecoder().decode(encoded.asText()));
                })
                .orElse(null);
    }

    /**
     * Runs entrypoint.sh with the container's variables and arguments (a stand-in java prints what
     * it would run) and parses the node's command line with the real `node` command: every option
     * exists and every value converts.
     */
    List<String> nodeArguments(String name, Map<String, String> env, JsonNode container, List<String> problems) {
        Map<String, String> runEnv = new LinkedHashMap<>(env);
        Path jar = work.resolve("archipelago.jar");
        try {
            if (!Files.exists(jar)) {
                Files.createFile(jar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        runEnv.put("ARCHIPELAGO_JAR", jar.toString());
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        // The same variables give the same command line: run the script once for them.
        DeployFiles.Run run = RUNS.computeIfAbsent(
                List.of(env.toString(), args.toString()), key -> deploy.runWithFakeJava(work, runEnv, args));
        if (run.exit() != 0) {
            problems.add(name + ": entrypoint.sh refuses its variables (exit " + run.exit() + "): "
                    + run.stderr().strip());
            return null;
        }
        List<String> lines = run.stdoutLines();
        int jarAt = lines.indexOf("-jar");
        List<String> argv = new ArrayList<>(lines.subList(jarAt + 2, lines.size() - 1)); // the last: OMP_WAIT_POLICY
        CommandSpec spec = nodeSpec();
        List<String> parsed = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            if (PENDING_OPTIONS.contains(argv.get(i)) && spec.findOption(argv.get(i)) == null) {
                skippedOptions.add(argv.get(i));
                i++;
                continue;
            }
            parsed.add(argv.get(i));
        }
        try {
            cli().parseArgs(parsed.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            problems.add(name + ": `archipelago " + String.join(" ", parsed) + "` does not parse: " + e.getMessage());
        }
        return argv;
    }

    private static String option(List<String> argv, String option) {
        int at = argv.indexOf(option);
        return at >= 0 && at + 1 < argv.size() ? argv.get(at + 1) : null;
    }

    private static int portOf(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /** The container's named ports are the ports the node's options open. */
    List<String> ports(String name, JsonNode container, List<String> argv) {
        List<String> problems = new ArrayList<>();
        int cluster = Integer.parseInt(option(argv, "--port"));
        if (cluster != clusterPortDefault()) {
            problems.add(name + ": --port " + cluster + " != the node's default " + clusterPortDefault());
        }
        if (Manifests.port(container, "remoting").path("containerPort").asInt() != cluster) {
            problems.add(name + ": container port 'remoting' " + Manifests.port(container, "remoting") + " != --port "
                    + cluster);
        }
        String management = option(argv, "--management");
        if (management == null || portOf(management) != MANAGEMENT_PORT) {
            problems.add(name + ": --management " + management + " is not on port " + MANAGEMENT_PORT);
        } else if (!management.startsWith(POD_IP + ":") && !management.startsWith("0.0.0.0:")) {
            problems.add(name + ": --management " + management + " must listen on the pod's IP or 0.0.0.0 (the "
                    + "kubelet's probes and Cluster Bootstrap reach it there)");
        }
        if (Manifests.port(container, "management").path("containerPort").asInt() != MANAGEMENT_PORT) {
            problems.add(name + ": container port 'management' (where Cluster Bootstrap reaches contact points)"
                    + " is not " + MANAGEMENT_PORT + ": " + Manifests.port(container, "management"));
        }
        String worker = option(argv, "--worker-port");
        JsonNode workerPort = Manifests.port(container, "worker");
        if (worker != null && workerPort.path("containerPort").asInt() != portOf(worker)) {
            problems.add(name + ": container port 'worker' " + workerPort + " != --worker-port " + worker);
        }
        if (worker == null && !workerPort.isMissingNode()) {
            problems.add(name + ": a 'worker' port without --worker-port");
        }
        return problems;
    }

    /** Liveness and startup on /alive, readiness on /ready, both on the management port. */
    List<String> probes(String name, JsonNode container) {
        List<String> problems = new ArrayList<>();
        Map<String, String> expected =
                Map.of("livenessProbe", LIVENESS_PATH, "readinessProbe", READINESS_PATH, "startupProbe", LIVENESS_PATH);
        expected.forEach((probe, path) -> {
            JsonNode get = container.path(probe).path("httpGet");
            if (get.isMissingNode()) {
                problems.add(name + ": no " + probe + " (httpGet " + path + ")");
                return;
            }
            if (!path.equals(get.path("path").asText())) {
                problems.add(name + ": " + probe + " asks " + get.path("path").asText() + ", not " + path);
            }
            JsonNode port = get.path("port");
            boolean onManagement = port.isInt()
                    ? port.asInt() == MANAGEMENT_PORT
                    : Manifests.port(container, port.asText())
                                    .path("containerPort")
                                    .asInt()
                            == MANAGEMENT_PORT;
            if (!onManagement) {
                problems.add(
                        name + ": " + probe + " is on port " + port + ", not the management port " + MANAGEMENT_PORT);
            }
        });
        return problems;
    }

    /** Requests and limits on every container; an evaluator's slots are its CPU request. */
    List<String> resources(
            String name,
            JsonNode workload,
            JsonNode container,
            Set<String> roles,
            Map<String, String> env,
            Map<String, String> labels) {
        List<String> problems = new ArrayList<>();
        JsonNode resources = container.path("resources");
        for (String part : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                if (resources.path(part).path(resource).isMissingNode()) {
                    problems.add(name + ": no " + part + "." + resource);
                }
            }
        }
        if (roles.contains(NodeRole.EVALUATOR.id())) {
            String kind = env.get("ARCHIPELAGO_EVALUATOR");
            if (kind == null || !kind.equals(labels.get("archipelago.io/evaluator"))) {
                problems.add(name + ": an evaluator's archipelago.io/evaluator label "
                        + labels.get("archipelago.io/evaluator") + " != ARCHIPELAGO_EVALUATOR " + kind);
            }
            String slots = env.get("ARCHIPELAGO_SLOTS");
            double cpus = cpus(resources.path("requests").path("cpu").asText("0"));
            if (slots == null || Integer.parseInt(slots) != cpus) {
                problems.add(
                        name + ": ARCHIPELAGO_SLOTS " + slots + " != its CPU request " + cpus + " (one slot per core)");
            }
        }
        return problems;
    }

    static double cpus(String quantity) {
        return quantity.endsWith("m")
                ? Double.parseDouble(quantity.substring(0, quantity.length() - 1)) / 1000
                : Double.parseDouble(quantity);
    }

    /** Kubernetes waits for the drain (cluster-conf/cluster.conf) before it kills a node. */
    List<String> gracePeriod(String name, JsonNode workload) {
        List<String> problems = new ArrayList<>();
        Config conf = clusterConf();
        Duration drain;
        try {
            drain = conf.getDuration(DRAIN_TIMEOUT)
                    .plus(conf.getDuration(HAND_BACK_GRACE))
                    .plusSeconds(30); // leaving the cluster, the JVM's exit
            Duration unbind = conf.getDuration(UNBIND_TIMEOUT);
            drain = drain.compareTo(unbind) > 0 ? drain : unbind;
        } catch (com.typesafe.config.ConfigException e) {
            return List.of("cluster-conf/cluster.conf: " + e.getMessage());
        }
        long grace = Manifests.podSpec(workload)
                .path("terminationGracePeriodSeconds")
                .asLong(30);
        if (grace < drain.toSeconds()) {
            problems.add(name + ": terminationGracePeriodSeconds " + grace + " < " + drain.toSeconds()
                    + " s, what a drain may take (" + DRAIN_TIMEOUT + " + " + HAND_BACK_GRACE + " + 30 s)");
        }
        if (!Manifests.podSpec(workload)
                .path("containers")
                .get(0)
                .path("lifecycle")
                .isMissingNode()) {
            problems.add(name + ": a preStop hook: SIGTERM alone drains the node");
        }
        return problems;
    }

    /** The ServiceAccounts a RoleBinding lets get, watch and list pods. */
    static Set<String> podReaders(Manifests m) {
        Set<String> roles = new TreeSet<>();
        for (ObjectNode role : m.ofKind("Role")) {
            for (JsonNode rule : role.path("rules")) {
                Set<String> groups = texts(rule.path("apiGroups"));
                Set<String> resources = texts(rule.path("resources"));
                Set<String> verbs = texts(rule.path("verbs"));
                if (groups.contains("")
                        && resources.contains("pods")
                        && verbs.containsAll(List.of("get", "watch", "list"))) {
                    roles.add(role.path("metadata").path("name").asText());
                }
            }
        }
        Set<String> accounts = new TreeSet<>();
        for (ObjectNode binding : m.ofKind("RoleBinding")) {
            JsonNode ref = binding.path("roleRef");
            if (!"Role".equals(ref.path("kind").asText())
                    || !roles.contains(ref.path("name").asText())) {
                continue;
            }
            for (JsonNode subject : binding.path("subjects")) {
                if ("ServiceAccount".equals(subject.path("kind").asText())
                        && m.find("ServiceAccount", subject.path("name").asText())
                                .isPresent()) {
                    accounts.add(subject.path("name").asText());
                }
            }
        }
        return accounts;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> texts = new TreeSet<>();
        array.forEach(t -> texts.add(t.asText()));
        return texts;
    }

    /** RBAC: some ServiceAccount may read pods, and it grants nothing beyond pods. */
    List<String> rbac(Manifests m) {
        List<String> problems = new ArrayList<>();
        if (podReaders(m).isEmpty()) {
            problems.add("RBAC: no ServiceAccount is bound to a Role that may get, watch and list pods");
        }
        if (!m.ofKind("ClusterRole").isEmpty()
                || !m.ofKind("ClusterRoleBinding").isEmpty()) {
            problems.add("RBAC: cluster-wide roles; discovery needs the pods of its own namespace only");
        }
        for (ObjectNode binding : m.ofKind("RoleBinding")) {
            for (JsonNode subject : binding.path("subjects")) {
                if (subject.has("namespace")) {
                    problems.add(Manifests.name(binding) + ": a subject names a namespace; without one it is the "
                            + "binding's own, and the manifests apply in any namespace");
                }
            }
        }
        for (ObjectNode role : m.ofKind("Role")) {
            for (JsonNode rule : role.path("rules")) {
                if (!texts(rule.path("resources")).equals(Set.of("pods"))
                        || !Set.of("get", "watch", "list").containsAll(texts(rule.path("verbs")))) {
                    problems.add(Manifests.name(role) + ": grants more than get/watch/list on pods: " + rule);
                }
            }
        }
        return problems;
    }

    /** Services select pods of the manifests and name ports those pods have. */
    List<String> services(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode service : m.ofKind("Service")) {
            String name = Manifests.name(service);
            Map<String, String> selector =
                    Manifests.strings(service.path("spec").path("selector"));
            List<ObjectNode> selected = m.workloads().stream()
                    .filter(w -> Manifests.matches(selector, Manifests.podLabels(w)))
                    .toList();
            if (selected.isEmpty()) {
                problems.add(name + ": selector " + selector + " matches no pod template");
            }
            for (ObjectNode workload : selected) {
                for (JsonNode port : service.path("spec").path("ports")) {
                    JsonNode target = port.path("targetPort");
                    boolean found = false;
                    for (JsonNode container : Manifests.podSpec(workload).path("containers")) {
                        for (JsonNode p : container.path("ports")) {
                            found |= target.isInt()
                                    ? p.path("containerPort").asInt() == target.asInt()
                                    : p.path("name").asText().equals(target.asText())
                                            && (port.path("port").asInt()
                                                    == p.path("containerPort").asInt());
                        }
                    }
                    if (!found) {
                        problems.add(name + ": port " + port + " has no matching container port on "
                                + Manifests.name(workload));
                    }
                }
            }
        }
        for (ObjectNode set : m.ofKind("StatefulSet")) {
            String serviceName = set.path("spec").path("serviceName").asText();
            if (m.find("Service", serviceName).isEmpty()) {
                problems.add(Manifests.name(set) + ": serviceName " + serviceName + " is no Service of the manifests");
            }
        }
        return problems;
    }

    /** Each PDB covers exactly one workload; every controller and evaluator workload has one. */
    List<String> disruptionBudgets(Manifests m) {
        List<String> problems = new ArrayList<>();
        Set<ObjectNode> covered = new java.util.HashSet<>();
        for (ObjectNode pdb : m.ofKind("PodDisruptionBudget")) {
            Map<String, String> selector =
                    Manifests.strings(pdb.path("spec").path("selector").path("matchLabels"));
            List<ObjectNode> selected = m.workloads().stream()
                    .filter(w -> Manifests.matches(selector, Manifests.podLabels(w)))
                    .toList();
            if (selected.size() != 1) {
                problems.add(Manifests.name(pdb) + ": selector " + selector + " matches " + selected.size()
                        + " workloads, not one");
            }
            covered.addAll(selected);
            if (!pdb.path("spec").has("maxUnavailable") && !pdb.path("spec").has("minAvailable")) {
                problems.add(Manifests.name(pdb) + ": neither maxUnavailable nor minAvailable");
            }
            for (ObjectNode w : selected) {
                int replicas = w.path("spec").path("replicas").asInt(1);
                if (pdb.path("spec").path("maxUnavailable").asInt(1) < 1
                        || pdb.path("spec").path("minAvailable").asInt(0) >= replicas) {
                    problems.add(Manifests.name(pdb) + ": allows no disruption of " + Manifests.name(w)
                            + ": node drains would hang");
                }
            }
        }
        for (ObjectNode workload : nodeWorkloads(m)) {
            String component = Manifests.podLabels(workload).get("app.kubernetes.io/component");
            if (Set.of("controller", "evaluator").contains(component) && !covered.contains(workload)) {
                problems.add(Manifests.name(workload) + ": no PodDisruptionBudget covers it");
            }
        }
        return problems;
    }

    /** Every Secret key a pod reads exists. */
    List<String> secrets(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode workload : m.workloads()) {
            for (JsonNode container : Manifests.podSpec(workload).path("containers")) {
                for (JsonNode entry : container.path("env")) {
                    JsonNode ref = entry.path("valueFrom").path("secretKeyRef");
                    if (!ref.isMissingNode()
                            && secretValue(
                                            m,
                                            ref.path("name").asText(),
                                            ref.path("key").asText())
                                    == null) {
                        problems.add(Manifests.name(workload) + ": "
                                + entry.path("name").asText() + " reads Secret "
                                + ref.path("name").asText() + " key "
                                + ref.path("key").asText()
                                + ", which is not defined");
                    }
                }
            }
        }
        return problems;
    }

    private static final Pattern POSTGRES_URL = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/([^?]+)\\?(.*)");

    /**
     * The controllers' journal URL names the PostgreSQL Service of the manifests, its port, and the
     * database, user and password the server is started with.
     */
    List<String> journal(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode workload : nodeWorkloads(m)) {
            JsonNode ref = Manifests.env(nodeContainer(workload), "ARCHIPELAGO_JOURNAL_URL")
                    .path("valueFrom")
                    .path("secretKeyRef");
            if (ref.isMissingNode()) {
                if (!Manifests.env(nodeContainer(workload), "ARCHIPELAGO_JOURNAL_URL")
                        .isMissingNode()) {
                    problems.add(Manifests.name(workload) + ": the journal URL (it holds the password) must come "
                            + "from a Secret");
                }
                continue;
            }
            String secret = ref.path("name").asText();
            String url = secretValue(m, secret, ref.path("key").asText());
            Matcher u = url == null ? null : POSTGRES_URL.matcher(url);
            if (u == null || !u.matches()) {
                problems.add(Manifests.name(workload) + ": journal URL " + url
                        + " is not jdbc:postgresql://HOST:PORT/DB?...");
                continue;
            }
            Map<String, String> query = new LinkedHashMap<>();
            for (String pair : u.group(4).split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            var service = m.find("Service", u.group(1));
            if (service.isEmpty()) {
                problems.add("journal URL names host " + u.group(1) + ", no Service of the manifests");
                continue;
            }
            boolean portFound = false;
            for (JsonNode port : service.get().path("spec").path("ports")) {
                portFound |= port.path("port").asInt() == Integer.parseInt(u.group(2));
            }
            if (!portFound) {
                problems.add("journal URL port " + u.group(2) + " is not a port of Service " + u.group(1));
            }
            Map<String, String> selector =
                    Manifests.strings(service.get().path("spec").path("selector"));
            for (ObjectNode db : m.workloads()) {
                if (!Manifests.matches(selector, Manifests.podLabels(db))) {
                    continue;
                }
                JsonNode postgres = Manifests.podSpec(db).path("containers").get(0);
                Map<String, String> env = resolvedEnv(m, postgres, problems, Manifests.name(db));
                Map<String, String> expected = Map.of(
                        "POSTGRES_DB", u.group(3),
                        "POSTGRES_USER", query.getOrDefault("user", ""),
                        "POSTGRES_PASSWORD", query.getOrDefault("password", ""));
                expected.forEach((variable, value) -> {
                    if (!value.equals(env.get(variable))) {
                        problems.add(Manifests.name(db) + ": " + variable + " does not match the journal URL of "
                                + Manifests.name(workload) + " (Secret " + secret + ")");
                    }
                });
            }
        }
        return problems;
    }

    /**
     * Once Pekko Management is on the class path: its defaults are the paths and the discovery the
     * manifests assume (probes on /alive and /ready, pods selected by app=SERVICE).
     */
    List<String> managementConfig() {
        Config reference = reference();
        List<String> problems = new ArrayList<>();
        // Not pekko.management.http.port: its default is 7626, and the entry point passes the port.
        Map<String, Object> expected = Map.of(
                "pekko.management.health-checks.liveness-path",
                LIVENESS_PATH.substring(1),
                "pekko.management.health-checks.readiness-path",
                READINESS_PATH.substring(1),
                "pekko.management.cluster.bootstrap.contact-point-discovery.port-name",
                "management",
                "pekko.discovery.kubernetes-api.pod-label-selector",
                "app=%s");
        expected.forEach((path, value) -> {
            if (reference.hasPath(path)
                    && !reference.getAnyRef(path).toString().equals(value.toString())
                    && !(path.endsWith(".port-name")
                            && reference.getString(path).isEmpty())) { // unset: the port
                problems.add(path + " is " + reference.getAnyRef(path) + " in the jar's reference.conf; the manifests "
                        + "assume " + value);
            }
        });
        return problems;
    }
}
