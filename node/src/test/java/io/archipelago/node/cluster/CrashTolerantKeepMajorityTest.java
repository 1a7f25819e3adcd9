package io.archipelago.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.Reachability;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.sbr.DowningStrategy;
import org.apache.pekko.cluster.sbr.KeepMajority;
import org.apache.pekko.util.Version;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The downing decisions of {@link CrashTolerantKeepMajority} against Pekko's keep-majority, on
 * the reachability the soak's nodes gossiped when Pekko downed the whole cluster: three
 * controller-role nodes and two evaluator nodes; evaluator 4 died, controller 0 saw it die and
 * was killed itself before the resolver decided.
 */
class CrashTolerantKeepMajorityTest {
    private static final String DC = "default";

    private static UniqueAddress node(int port) {
        return new UniqueAddress(new Address("pekko", "archipelago", "127.0.0.1", 26100 + port), (long) port + 1);
    }

    private static Member member(int port, String role, int upNumber) {
        return new Member(
                node(port),
                upNumber,
                MemberStatus.up(),
                scala.collection.immutable.Set$.MODULE$.from(CollectionConverters.asScala(List.of(role, "dc-" + DC))),
                Version.Zero());
    }

    /** The cluster of the soak, seen from controller 1, with {@code unreachable} marked and these observations. */
    private static <S extends DowningStrategy> S cluster(S strategy, Set<Integer> unreachable, int[][] observations) {
        String[] roles = {"controller", "controller", "controller", "evaluator", "evaluator", "evaluator"};
        for (int port : new int[] {0, 1, 2, 4, 5}) {
            Member m = member(port, roles[port], port + 1);
            if (unreachable.contains(port)) {
                strategy.addUnreachable(m);
            } else {
                strategy.add(m);
            }
        }
        Reachability reachability = Reachability.empty();
        for (int[] o : observations) {
            reachability = reachability.unreachable(node(o[0]), node(o[1]));
        }
        strategy.setReachability(reachability);
        return strategy;
    }

    private static Set<UniqueAddress> down(DowningStrategy strategy) {
        return Set.copyOf(CollectionConverters.asJava(strategy.nodesToDown(strategy.decide())));
    }

    private static final int[][] CRASH_AFTER_OBSERVING = {{0, 4}, {1, 0}, {1, 4}, {2, 0}, {2, 4}, {5, 0}, {5, 4}};

    @Test
    void aNodeThatCrashedJustAfterSeeingAnotherDieIsDownedWithItAndNobodyElse() {
        CrashTolerantKeepMajority ours = cluster(
                new CrashTolerantKeepMajority(DC, Option.apply("controller"), node(1)),
                Set.of(0, 4),
                CRASH_AFTER_OBSERVING);
        assertEquals(DowningStrategy.DownUnreachable$.MODULE$, ours.decide());
        assertEquals(Set.of(node(0), node(4)), down(ours));
    }

    /** If this fails, Pekko fixed it: CrashTolerantKeepMajority can go. */
    @Test
    void pekkosOwnKeepMajorityDownsEveryNodeThere() {
        KeepMajority pekkos =
                cluster(new KeepMajority(DC, Option.apply("controller"), node(1)), Set.of(0, 4), CRASH_AFTER_OBSERVING);
        assertEquals(DowningStrategy.DownIndirectlyConnected$.MODULE$, pekkos.decide());
        // The SplitBrainResolver actor catches this and downs every node instead.
        assertThrows(IllegalStateException.class, () -> pekkos.nodesToDown(pekkos.decide()));
    }

    @Test
    void nodesThatOnlySeeEachOtherAsUnreachableAreStillIndirectlyConnected() {
        // controller 1 and evaluator 4 cannot talk to each other; everybody else reaches both
        int[][] asymmetric = {{1, 4}, {4, 1}};
        CrashTolerantKeepMajority ours = cluster(
                new CrashTolerantKeepMajority(DC, Option.apply("controller"), node(2)), Set.of(1, 4), asymmetric);
        KeepMajority pekkos =
                cluster(new KeepMajority(DC, Option.apply("controller"), node(2)), Set.of(1, 4), asymmetric);
        assertEquals(DowningStrategy.DownIndirectlyConnected$.MODULE$, ours.decide());
        assertEquals(down(pekkos), down(ours));
        assertEquals(Set.of(node(1), node(4)), down(ours));
    }

    @Test
    void aCleanCrashAndAMinorityAreDecidedAsPekkoDecidesThem() {
        int[][] crash = {{1, 0}, {2, 0}, {4, 0}, {5, 0}};
        CrashTolerantKeepMajority ours =
                cluster(new CrashTolerantKeepMajority(DC, Option.apply("controller"), node(1)), Set.of(0), crash);
        assertEquals(Set.of(node(0)), down(ours));

        // two of three controllers unreachable from controller 0's side: it downs its own side
        int[][] partition = {{0, 1}, {0, 2}, {4, 1}, {4, 2}};
        CrashTolerantKeepMajority minority = cluster(
                new CrashTolerantKeepMajority(DC, Option.apply("controller"), node(0)), Set.of(1, 2), partition);
        assertEquals(DowningStrategy.DownReachable$.MODULE$, minority.decide());
        assertEquals(Set.of(node(0), node(4), node(5)), down(minority));
    }
}
