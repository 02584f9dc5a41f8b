package io.signalman.core;

/**
 * What became of an attempt to take over a session from another node.
 *
 * @param peer    the peer, now local, or null
 * @param refused true if the session exists but the connection may not have it (another identity)
 */
public record SessionAdoption(Peer peer, boolean refused) {
    /** No such session (unknown, ended, expired, or its held frames overflowed). */
    public static final SessionAdoption NONE = new SessionAdoption(null, false);
    public static final SessionAdoption REFUSED = new SessionAdoption(null, true);
}
