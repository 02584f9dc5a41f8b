package io.signalman.core;

/** What became of a signal or broadcast. */
public enum SendOutcome {
    /** Handed to the recipient's outlet (or, for a broadcast, to every other member's). */
    DELIVERED,
    /** The sender named a room it is not in. */
    NOT_IN_ROOM,
    /** No such peer, or none that shares a room with the sender. */
    PEER_UNAVAILABLE,
    /** The sender addressed itself. */
    SELF
}
