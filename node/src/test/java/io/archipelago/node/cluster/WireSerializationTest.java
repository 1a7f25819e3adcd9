package io.archipelago.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.archipelago.proto.Archipelago;
import io.archipelago.proto.Architecture;
import io.archipelago.proto.Candidate;
import io.archipelago.proto.EvaluationRequest;
import io.archipelago.proto.EvaluationResult;
import io.archipelago.proto.EvaluationStatus;
import io.archipelago.proto.EvaluatorPoolStatus;
import io.archipelago.proto.NodeStatus;
import io.archipelago.proto.NodeStatusRequest;
import java.io.Serializable;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.remote.serialization.ProtobufSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What crosses nodes: with the cluster configuration, every message of the wire contract goes
 * through Pekko's Protobuf serializer, and anything else (a Java object that would need Java
 * serialization) cannot be sent at all.
 */
class WireSerializationTest {
    private static ActorSystem<Void> system;
    private static Serialization serialization;

    @BeforeAll
    static void start() {
        ClusterSettings settings =
                new ClusterSettings(Transport.TCP, "127.0.0.1", 0, List.of("127.0.0.1:1"), Set.of(), null);
        // A cluster-configured system that joins nothing: only its serialization is looked at.
        system = ActorSystem.create(
                Behaviors.empty(),
                ClusterSettings.SYSTEM,
                ConfigFactory.parseString("pekko.cluster.seed-nodes = []")
                        .withFallback(settings.config(ConfigFactory.load(), null)));
        serialization = SerializationExtension.get(Adapter.toClassic(system));
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    @Test
    void everyWireMessageUsesTheProtobufSerializer() throws Exception {
        List<Descriptor> types = Archipelago.getDescriptor().getMessageTypes();
        assertTrue(types.size() >= 7, "the wire contract lost messages: " + types);
        for (Descriptor type : types) {
            Class<?> javaClass = Class.forName("io.archipelago.proto." + type.getName());
            Message instance =
                    (Message) javaClass.getMethod("getDefaultInstance").invoke(null);
            Serializer serializer = serialization.findSerializerFor(instance);
            assertInstanceOf(
                    ProtobufSerializer.class,
                    serializer,
                    type.getName() + " would use " + serializer.getClass().getName());
        }
    }

    @Test
    void populatedMessagesSurviveTheRoundTrip() {
        Candidate candidate = Candidate.newBuilder()
                .setSearchId("s")
                .setCandidateId(42)
                .setArchitecture(Architecture.newBuilder()
                        .setSpace("nb201")
                        .setEncoding("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"))
                .setEvaluatorKind("tabular")
                .setFidelity(12)
                .build();
        List<Message> messages = List.of(
                EvaluationRequest.newBuilder()
                        .setCandidate(candidate)
                        .setAttempt(2)
                        .setReplyTo("pekko://archipelago@h:1/user/r")
                        .build(),
                EvaluationResult.newBuilder()
                        .setSearchId("s")
                        .setCandidateId(42)
                        .setStatus(EvaluationStatus.EVALUATION_STATUS_HANDED_BACK)
                        .putMetrics("cifar10_valid_12", 84.5)
                        .setAttempt(2)
                        .setEvaluator("tabular@h:1/evaluator-0")
                        .build(),
                NodeStatusRequest.newBuilder()
                        .setReplyTo("pekko://archipelago@h:1/temp/x")
                        .build(),
                NodeStatus.newBuilder()
                        .setAddress("pekko://archipelago@h:1")
                        .addRoles("evaluator")
                        .setDraining(true)
                        .addPools(EvaluatorPoolStatus.newBuilder()
                                .setKind("tabular")
                                .setSlots(2)
                                .setBusy(1))
                        .setEvaluations(7)
                        .build());
        for (Message message : messages) {
            byte[] bytes = serialization.serialize(message).get();
            Serializer serializer = serialization.findSerializerFor(message);
            Object back = serialization
                    .deserialize(
                            bytes, serializer.identifier(), message.getClass().getName())
                    .get();
            assertEquals(message, back);
        }
    }

    private record NotOnTheWire(String text) implements Serializable {}

    @Test
    void javaSerializationIsOff() {
        assertFalse(system.settings().config().getBoolean("pekko.actor.allow-java-serialization"));
        // A Java object has no serializer but Java serialization's, which refuses: it can never
        // reach another node by accident.
        assertTrue(serialization.serialize(new NotOnTheWire("x")).isFailure());
    }
}
