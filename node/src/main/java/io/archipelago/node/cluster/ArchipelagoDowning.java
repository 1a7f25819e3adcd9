package io.archipelago.node.cluster;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.DowningProvider;
import org.apache.pekko.cluster.sbr.SplitBrainResolver$;
import org.apache.pekko.cluster.sbr.SplitBrainResolverProvider;
import org.apache.pekko.cluster.sbr.SplitBrainResolverSettings;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * The cluster's downing provider ({@code pekko.cluster.downing-provider-class}): Pekko's Split
 * Brain Resolver, configured as Pekko documents it ({@code pekko.cluster.split-brain-resolver}),
 * with {@code keep-majority} deciding as {@link CrashTolerantKeepMajority} does, so that a node
 * crashing just after it saw another die does not down the whole cluster. Every other strategy
 * ({@code lease-majority}, which {@link ClusterSettings} turns on for a shared journal, and the
 * rest) is Pekko's own.
 */
public final class ArchipelagoDowning extends DowningProvider {
    private final ActorSystem system;
    private final SplitBrainResolverProvider pekkos;
    private final SplitBrainResolverSettings settings;

    public ArchipelagoDowning(ActorSystem system) {
        this.system = system;
        this.pekkos = new SplitBrainResolverProvider(system);
        this.settings = new SplitBrainResolverSettings(system.settings().config());
    }

    @Override
    public FiniteDuration downRemovalMargin() {
        return pekkos.downRemovalMargin();
    }

    @Override
    public Option<Props> downingActorProps() {
        if (!SplitBrainResolverSettings.KeepMajorityName().equals(settings.DowningStrategy())) {
            return pekkos.downingActorProps();
        }
        Cluster cluster = Cluster.get(system);
        return Option.apply(SplitBrainResolver$.MODULE$.props(
                settings.DowningStableAfter(),
                new CrashTolerantKeepMajority(
                        cluster.selfDataCenter(), settings.keepMajorityRole(), cluster.selfUniqueAddress())));
    }
}
