package io.archipelago.node.cluster;

import io.archipelago.proto.NodeStatus;
import io.archipelago.proto.NodeStatusRequest;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One per node: answers {@link NodeStatusRequest} with the node's {@link NodeStatus} (roles,
 * evaluator slots, busy slots, draining). Registered with the Receptionist so that
 * {@code archipelago cluster status} finds every node's agent. Its protocol is the wire message.
 */
public final class NodeAgent {
    public static final ServiceKey<NodeStatusRequest> SERVICE_KEY =
            ServiceKey.create(NodeStatusRequest.class, "node-agent");

    private NodeAgent() {}

    public static Behavior<NodeStatusRequest> create(Supplier<NodeStatus> status) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, context.getSelf()));
            ActorRefResolver resolver = ActorRefResolver.get(context.getSystem());
            return Behaviors.receiveMessage(request -> {
                ActorRef<NodeStatus> replyTo = resolver.resolveActorRef(request.getReplyTo());
                replyTo.tell(status.get());
                return Behaviors.same();
            });
        });
    }
}
