package io.signalman.core;

import java.util.List;

/**
 * Where an engine gets a local session that another node wants to take over: implemented by the
 * {@link SessionKeeper}, called by a cluster engine when another node's client presents the token.
 */
public interface SessionSource {

    /**
     * Gives up a local session: it is no longer this node's, its connection (if any) is told so and
     * closed, nothing is announced to its rooms, and from now on its peer's events go to
     * {@code late} (they were sent before the other node took over, and must follow the held ones).
     *
     * @return the peer and the events held for it, oldest first; or null if there is no such session here
     */
    Released release(String realm, String token, Outlet late);

    /**
     * The sessions kept here now: for a node that leaves and hands them all over, or that must
     * record them again after its store lost them.
     */
    List<Kept> sessions();

    /** A session kept here: its token, its peer, and whether its id is bound to a proven identity. */
    record Kept(String token, Peer peer, boolean identityBound) {}

    /** A session given up by {@link #release}. */
    record Released(Peer peer, List<Event> held) {}
}
