package io.archipelago.node.cluster;

import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.Reachability;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.sbr.DowningStrategy;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Pekko's keep-majority downing decision, except for one case it gets wrong under churn. A node
 * that saw another as unreachable and then crashed itself is, to Pekko's Split Brain Resolver,
 * "indirectly connected": both an observer and a subject of unreachability. Its decision then
 * runs twice, finds the crashed node indirectly connected again (its last observations stay in
 * the gossip until it is removed), and downs every node of the cluster ("SBR double
 * DownIndirectlyConnected decision, downing all instead"). On a busy cluster that is an evaluator
 * killed a few seconds before the node hosting the search: the soak ({@code bench soak}) met it
 * within a minute, and every node shut down.
 *
 * <p>Here an unreachable node whose every unreachability observation is corroborated by a
 * reachable observer is not indirectly connected: what it saw, the others saw too, so it is
 * simply gone, and the ordinary majority decision downs it with the nodes it saw die. Nodes
 * that really are indirectly connected (observations nobody else confirms: an asymmetric
 * network fault) are left to Pekko's handling. Akka.NET fixed the same case the same way
 * (akkadotnet/akka.net#7141); Akka's is an open pull request (akka/akka-core#32794).
 *
 * <p>Built on Pekko's internal {@link DowningStrategy} (the version is pinned in the pom, and
 * {@code CrashTolerantKeepMajorityTest} checks the decisions on this version).
 */
final class CrashTolerantKeepMajority extends DowningStrategy {
    private final Option<String> role;

    CrashTolerantKeepMajority(String dataCenter, Option<String> role, UniqueAddress self) {
        super(dataCenter, self);
        this.role = role;
    }

    @Override
    public Option<String> role() {
        return role;
    }

    @Override
    public scala.collection.immutable.Set<UniqueAddress> indirectlyConnected() {
        Set<UniqueAddress> pekkos = new HashSet<>(CollectionConverters.asJava(super.indirectlyConnected()));
        pekkos.removeIf(this::crashed);
        return scala.collection.immutable.Set$.MODULE$.from(CollectionConverters.asScala(pekkos));
    }

    /** Unreachable, and each unreachability it observed is also observed by a reachable node. */
    private boolean crashed(UniqueAddress node) {
        if (!unreachable().contains(node)) {
            return false;
        }
        Reachability reachability = reachability();
        for (Reachability.Record record : CollectionConverters.asJava(reachability.records())) {
            if (!record.observer().equals(node) || record.status() == Reachability.Reachable$.MODULE$) {
                continue;
            }
            boolean corroborated = false;
            for (Reachability.Record other : CollectionConverters.asJava(reachability.records())) {
                if (other.subject().equals(record.subject())
                        && other.status() != Reachability.Reachable$.MODULE$
                        && !unreachable().contains(other.observer())) {
                    corroborated = true;
                    break;
                }
            }
            if (!corroborated) {
                return false;
            }
        }
        return true;
    }

    /** Pekko's keep-majority decision (KeepMajority is final), on this class's indirectly connected nodes. */
    @Override
    public Decision decide() {
        if (hasIndirectlyConnected()) {
            return DowningStrategy.DownIndirectlyConnected$.MODULE$;
        }
        if (membersWithRole().isEmpty()) {
            return DowningStrategy.DownAll$.MODULE$; // no node with the role
        }
        Decision decision = majority(
                reachableMembersWithRole().size(),
                unreachableMembersWithRole().size(),
                membersWithRole().head());
        if (decision != DowningStrategy.DownUnreachable$.MODULE$) {
            return decision;
        }
        // A membership change during the partition: count on this side as few as could be Up,
        // on the other as many; a different conclusion is too close to call.
        var fewest = membersWithRole(false, true);
        if (fewest.isEmpty()) {
            return DowningStrategy.DownAll$.MODULE$;
        }
        Decision edge = majority(
                reachableMembersWithRole(false, true).size(),
                unreachableMembersWithRole(true, false).size(),
                fewest.head());
        return edge == DowningStrategy.DownUnreachable$.MODULE$ ? edge : DowningStrategy.DownAll$.MODULE$;
    }

    private Decision majority(int thisSide, int otherSide, Member lowest) {
        if (thisSide == otherSide) { // a tie: the side with the lowest address stays
            return unreachable(lowest)
                    ? DowningStrategy.DownReachable$.MODULE$
                    : DowningStrategy.DownUnreachable$.MODULE$;
        }
        return thisSide > otherSide ? DowningStrategy.DownUnreachable$.MODULE$ : DowningStrategy.DownReachable$.MODULE$;
    }
}
