package io.archipelago.controller.router;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The searches a router serves ({@link Tenant}), and what joining, leaving, withdrawing and reporting do to them. */
final class Tenants {
    private final Map<String, Tenant> bySearch = new HashMap<>();
    /** The terms of a search that does not join. */
    private final Router.Settings defaults;

    Tenants(Router.Settings defaults) {
        this.defaults = defaults;
    }

    /** The search's tenant; one that never joined gets the router's settings at weight 1. */
    Tenant of(String searchId) {
        Tenant tenant = bySearch.get(searchId);
        if (tenant == null) {
            tenant = new Tenant(searchId, 1, defaults);
            bySearch.put(searchId, tenant);
        }
        return tenant;
    }

    /** Takes the search's own terms; false when it is served already (its first terms stay). */
    boolean join(Router.Join join) {
        return bySearch.putIfAbsent(join.searchId(), new Tenant(join.searchId(), join.weight(), join.settings()))
                == null;
    }

    /** Forgets the search: its dispatches leave the in-flight table, and the pools drop its queue. */
    void leave(String searchId, InFlight inFlight, Collection<EvaluatorPool> pools) {
        Tenant tenant = bySearch.remove(searchId);
        if (tenant == null) {
            return;
        }
        tenant.left = true;
        for (Dispatch dispatch : inFlight.of(tenant)) {
            inFlight.remove(dispatch);
        }
        for (EvaluatorPool pool : pools) {
            pool.leave(tenant);
        }
    }

    /**
     * Takes back the search's waiting candidates (and those following them) and marks it withdrawn;
     * returns their ids. Its running dispatches stay in {@code inFlight}.
     */
    List<Long> withdraw(String searchId, InFlight inFlight, Collection<EvaluatorPool> pools) {
        Tenant tenant = bySearch.get(searchId);
        List<Long> taken = new ArrayList<>();
        if (tenant == null) {
            return taken;
        }
        tenant.withdrawn = true;
        for (EvaluatorPool pool : pools) {
            for (Dispatch dispatch : pool.withdraw(tenant)) {
                inFlight.remove(dispatch);
                taken.add(dispatch.candidate.getCandidateId());
                for (Dispatch follower : dispatch.followers()) {
                    taken.add(follower.candidate.getCandidateId());
                }
            }
        }
        return taken;
    }

    /** The search's dispatches running on a slot now; none for a search the router does not serve. */
    List<Dispatch> running(String searchId, InFlight inFlight) {
        Tenant tenant = bySearch.get(searchId);
        if (tenant == null) {
            return List.of();
        }
        List<Dispatch> running = new ArrayList<>();
        for (Dispatch dispatch : inFlight.of(tenant)) {
            if (dispatch.slot() != null) {
                running.add(dispatch);
            }
        }
        return running;
    }

    Router.Load load(Collection<EvaluatorPool> pools) {
        Map<String, Router.SearchLoad> searches = new HashMap<>();
        for (Tenant tenant : bySearch.values()) {
            int running = 0;
            int waiting = 0;
            for (EvaluatorPool pool : pools) {
                int[] load = pool.load(tenant);
                running += load[0];
                waiting += load[1];
            }
            searches.put(tenant.searchId, new Router.SearchLoad(tenant.weight, running, waiting));
        }
        return new Router.Load(Map.copyOf(searches));
    }
}
