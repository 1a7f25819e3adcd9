package io.archipelago.node.host;

import io.archipelago.controller.SearchSettings;
import io.archipelago.controller.router.Router;
import io.archipelago.controller.strategy.Strategy;
import io.archipelago.core.space.SearchSpace;
import io.archipelago.node.journal.JournalSettings;
import io.archipelago.node.setup.SearchDefinition;
import io.archipelago.node.setup.SearchSetup;
import io.archipelago.proto.SearchSpec;

/**
 * What the search host runs for one spec: the controller's settings, the space, a fresh strategy,
 * its settings on the host's router and its share of the slots there.
 */
public record HostedSearch<A>(
        SearchSettings settings, SearchSpace<A> space, Strategy<A> strategy, Router.Settings router, int share) {

    /** The search a spec describes, built from nothing (a cluster's host, which has only the spec). */
    public static HostedSearch<?> fromSpec(SearchSpec spec, JournalSettings journal) {
        SearchDefinition definition = SearchDefinition.of(spec);
        return of(SearchSetup.from(definition.options()), definition, spec.getSearchId(), journal);
    }

    /** The search of a setup already built from {@code definition} (a local run, which built it for its own files). */
    public static <A> HostedSearch<A> of(
            SearchSetup<A> setup, SearchDefinition definition, String searchId, JournalSettings journal) {
        SearchSettings settings = setup.settings(searchId, definition.budget())
                .snapshotEvery(journal.durable() ? definition.snapshotEvery() : 0)
                .journaled(journal.durable());
        if (definition.cluster()) {
            settings = settings.minSlots(definition.minEvaluators());
        }
        return new HostedSearch<>(
                settings, setup.space, setup.strategy(definition.seed()), setup.routerSettings, definition.share());
    }
}
