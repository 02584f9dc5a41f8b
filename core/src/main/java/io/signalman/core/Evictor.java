package io.signalman.core;

/**
 * How an engine asks the {@link Switchboard} to remove one of this node's peers when the request
 * comes from elsewhere (another node of a cluster took the peer's id, or kicked it from a room).
 * Going through the switchboard keeps the peer's own room list and the presence events right.
 */
@FunctionalInterface
public interface Evictor {
    /**
     * Tells {@code peer} it is evicted ({@link Event.Evicted} with {@code reason}) and takes it out
     * of {@code room} with reason {@link LeaveReason#KICKED}; with {@code room} null, out of every
     * room and the directory (its id went to a newer connection).
     */
    void evict(Peer peer, String room, String reason);
}
