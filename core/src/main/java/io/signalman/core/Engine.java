package io.signalman.core;

import java.util.List;

/**
 * Where a peer lives and how a message reaches it. The {@link Switchboard} applies the rules
 * (who may send to whom, capacities); an engine only stores and delivers. The in-memory engine
 * serves a single node; a cluster engine keeps the same contract across nodes.
 *
 * <p>Every method may be called from any thread. Presence events of one room are delivered to each
 * member in the order the membership changed.
 */
public interface Engine extends AutoCloseable {

    /**
     * Puts a peer in its realm's directory unless its id is taken.
     *
     * @return null if the peer is now registered, or the peer that holds the id
     */
    Peer attach(Peer peer);

    /** Removes a peer from the directory if the entry is still this peer; true if it was removed. */
    boolean detach(Peer peer);

    /** The local peer registered under an id, or null. */
    Peer find(String realm, String id);

    /** Hands an event to the peer with this id, wherever it lives; false if there is none. */
    boolean deliver(String realm, String peerId, Event event);

    /**
     * Adds a peer to a room (creating it), and announces it to the others if the room's policy says
     * so. The policy of the join that creates a room stays with it.
     */
    JoinOutcome join(Peer peer, String room, byte[] meta, RoomPolicy policy);

    /**
     * As {@link #join}, for rooms whose capacity must hold exactly: an engine whose members live on
     * several nodes decides in its shared store and completes later, on a thread of its own, never
     * blocking the caller. The joiner is a member, and the others have been told, before the stage
     * completes. The default joins at once, so a single-node engine behaves as {@link #join}.
     */
    default java.util.concurrent.CompletionStage<JoinOutcome> joinAsync(Peer peer, String room, byte[] meta,
            RoomPolicy policy) {
        return java.util.concurrent.CompletableFuture.completedFuture(join(peer, room, meta, policy));
    }

    /**
     * Removes a peer from a room (deleting the room when it empties) and announces it.
     *
     * @return the remaining members, or null if the peer was not a member
     */
    List<Member> leave(Peer peer, String room, LeaveReason reason);

    /** Hands an event to every member of a room except {@code exceptPeer} (may be null); returns how many. */
    int publish(String realm, String room, Event event, String exceptPeer);

    /** Whether a peer id is a member of a room. */
    boolean isMember(String realm, String room, String peerId);

    /** The members of a room in join order; empty if there is no such room. */
    List<Member> roster(String realm, String room);

    /** Room names of a realm (a snapshot), for operators. */
    List<String> rooms(String realm);

    /** How many rooms a realm has now. */
    int roomCount(String realm);

    /** How many peers a realm has now. */
    int peerCount(String realm);

    /** Ids of a realm's peers (a snapshot, in no particular order), for protocols that offer discovery. */
    List<String> peerIds(String realm);

    /**
     * Asks the node that holds a peer which is not on this node to evict it from {@code room}
     * (see {@link Switchboard#evict}). A single-node engine has no such peers.
     *
     * @return false if no other node holds the id
     */
    default boolean evictRemote(String realm, String peerId, String room, String reason) {
        return false;
    }

    /**
     * Called once by the {@link Switchboard} built on this engine, so that evictions requested by
     * other nodes go through the switchboard's rules. A single-node engine needs none.
     */
    default void bindEvictor(Evictor evictor) {}

    /**
     * Makes the sessions of this node's peers movable: while a resumable session lives, another
     * node can take it over ({@link #adoptSession}); its peer is held for {@code windowMillis} when
     * this node dies; at most {@code maxHeld} frames are held for it. A single-node engine keeps
     * sessions on their node only ({@link SessionKeeper}) and ignores this.
     */
    default void enableSessionMoves(String realm, long windowMillis, int maxHeld, SessionSource source) {}

    /** A session of a local peer began (or arrived here); {@code identityBound} as in {@link #adoptSession}. */
    default void sessionOpened(Peer peer, String token, boolean identityBound) {}

    /** A session of a local peer ended for good: it can no longer be resumed anywhere. */
    default void sessionEnded(Peer peer, String token) {}

    /**
     * Takes over a session that no local peer holds: one on another node (which hands it over) or
     * one whose node died. On success the peer is local, in its rooms, with {@code outlet} as its
     * outlet, and the frames held for it have been handed to the outlet, in order, before anything
     * newer. A session opened with an identity-bound id moves only to a connection that proved the
     * same id ({@code provenId}, null if none).
     */
    default java.util.concurrent.CompletionStage<SessionAdoption> adoptSession(String realm, String token,
            String provenId, Outlet outlet) {
        return java.util.concurrent.CompletableFuture.completedFuture(SessionAdoption.NONE);
    }

    /** Whether the engine can serve (a cluster engine is not ready while its store is unreachable). */
    default boolean isReady() {
        return true;
    }

    @Override
    default void close() {}
}
