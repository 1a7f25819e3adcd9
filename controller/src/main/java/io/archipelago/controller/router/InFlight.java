package io.archipelago.controller.router;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every candidate the router has taken and not answered yet, by dispatch, and by what it
 * evaluates: of a search's identical candidates (one cache key) only the first, the leader, is
 * evaluated; the others follow it and are answered with its result.
 */
final class InFlight {
    private final Map<CandidateKey, Dispatch> byKey = new HashMap<>();

    boolean contains(CandidateKey key) {
        return byKey.containsKey(key);
    }

    Dispatch get(CandidateKey key) {
        return byKey.get(key);
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }

    /** Takes a new dispatch; true when it leads (it is to be evaluated), false when it follows an identical candidate's. */
    boolean add(Dispatch dispatch) {
        byKey.put(dispatch.key, dispatch);
        Dispatch leader = dispatch.tenant().leaders.putIfAbsent(dispatch.cacheKey, dispatch);
        if (leader == null) {
            return true;
        }
        leader.follow(dispatch);
        return false;
    }

    /** A leader is answered, and its followers with it: none of them is in flight any more. */
    void remove(Dispatch leader) {
        byKey.remove(leader.key);
        leader.tenant().leaders.remove(leader.cacheKey);
        for (Dispatch follower : leader.followers()) {
            byKey.remove(follower.key);
        }
    }

    /** The dispatches of {@code tenant}: waiting, following or running. */
    List<Dispatch> of(Tenant tenant) {
        List<Dispatch> of = new ArrayList<>();
        for (Dispatch dispatch : byKey.values()) {
            if (dispatch.tenant() == tenant) {
                of.add(dispatch);
            }
        }
        return of;
    }

    /** The dispatches running past their deadline; null when none is. */
    List<Dispatch> overdue(long nowNanos) {
        List<Dispatch> overdue = null;
        for (Dispatch dispatch : byKey.values()) {
            if (dispatch.overdue(nowNanos)) {
                if (overdue == null) {
                    overdue = new ArrayList<>();
                }
                overdue.add(dispatch);
            }
        }
        return overdue;
    }
}
