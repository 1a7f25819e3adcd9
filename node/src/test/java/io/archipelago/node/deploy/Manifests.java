package io.archipelago.node.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Kubernetes objects of {@code deploy/kubernetes/}: the kustomization and, file by file, the
 * objects of the files it lists. A copy ({@link #copy}) can be mutated to show a check catches it.
 */
final class Manifests {
    static final YAMLMapper YAML = new YAMLMapper();

    final ObjectNode kustomization;
    /** File name to its objects, in the kustomization's order. */
    final Map<String, List<ObjectNode>> files;
    /** The .yaml files in the folder, whether the kustomization lists them or not. */
    final List<String> filesInFolder;

    private Manifests(ObjectNode kustomization, Map<String, List<ObjectNode>> files, List<String> filesInFolder) {
        this.kustomization = kustomization;
        this.files = files;
        this.filesInFolder = filesInFolder;
    }

    static Manifests load(Path dir) {
        try {
            ObjectNode kustomization =
                    (ObjectNode) YAML.readTree(dir.resolve("kustomization.yaml").toFile());
            Map<String, List<ObjectNode>> files = new LinkedHashMap<>();
            for (JsonNode resource : kustomization.path("resources")) {
                files.put(resource.asText(), parse(dir.resolve(resource.asText())));
            }
            List<String> inFolder;
            try (Stream<Path> listing = Files.list(dir)) {
                inFolder = listing.map(p -> p.getFileName().toString())
                        .filter(name -> name.endsWith(".yaml") || name.endsWith(".yml"))
                        .filter(name -> !name.equals("kustomization.yaml"))
                        .sorted()
                        .toList();
            }
            return new Manifests(kustomization, files, inFolder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<ObjectNode> parse(Path file) throws IOException {
        List<ObjectNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isEmpty()) {
                    continue;
                }
                if (!(doc instanceof ObjectNode object)) {
                    throw new IOException(file + ": a document that is not a mapping");
                }
                objects.add(object);
            }
        }
        return objects;
    }

    Manifests copy() {
        Map<String, List<ObjectNode>> copied = new LinkedHashMap<>();
        files.forEach((file, objects) -> copied.put(
                file, new ArrayList<>(objects.stream().map(ObjectNode::deepCopy).toList())));
        return new Manifests(kustomization.deepCopy(), copied, filesInFolder);
    }

    List<ObjectNode> all() {
        return files.values().stream().flatMap(List::stream).toList();
    }

    List<ObjectNode> ofKind(String kind) {
        return all().stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    Optional<ObjectNode> find(String kind, String name) {
        return ofKind(kind).stream()
                .filter(o -> name.equals(o.path("metadata").path("name").asText()))
                .findFirst();
    }

    ObjectNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new IllegalArgumentException("no " + kind + " " + name));
    }

    /** Deployments and StatefulSets: the objects with a pod template. */
    List<ObjectNode> workloads() {
        return all().stream().filter(o -> o.path("spec").has("template")).toList();
    }

    static String name(JsonNode object) {
        return object.path("kind").asText() + " "
                + object.path("metadata").path("name").asText();
    }

    static ObjectNode podSpec(JsonNode workload) {
        return (ObjectNode) workload.path("spec").path("template").path("spec");
    }

    static Map<String, String> podLabels(JsonNode workload) {
        return strings(workload.path("spec").path("template").path("metadata").path("labels"));
    }

    static Map<String, String> strings(JsonNode mapping) {
        Map<String, String> map = new LinkedHashMap<>();
        mapping.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    /** Whether every label of {@code selector} is on {@code labels} (an empty selector matches nothing here). */
    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return !selector.isEmpty()
                && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** A container's env entry by name, or a missing node. */
    static JsonNode env(JsonNode container, String name) {
        for (JsonNode entry : container.path("env")) {
            if (name.equals(entry.path("name").asText())) {
                return entry;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** A literal env value, or null when the variable is absent or comes from elsewhere (valueFrom). */
    static String envValue(JsonNode container, String name) {
        JsonNode entry = env(container, name);
        return entry.has("value") ? entry.get("value").asText() : null;
    }

    static JsonNode port(JsonNode container, String name) {
        for (JsonNode port : container.path("ports")) {
            if (name.equals(port.path("name").asText())) {
                return port;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
