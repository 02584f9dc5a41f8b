package io.signalman.core;

import java.util.List;

/**
 * Something the core hands to a peer's {@link Outlet}: presence changes in its rooms, a relayed
 * payload, or an eviction. Dialects turn events into their own wire frames; the core never looks
 * inside a payload.
 */
public sealed interface Event {

    /** Another peer entered {@code room}; {@code roster} is the membership after the join, in join order. */
    record PeerJoined(String room, Member member, List<Member> roster) implements Event {}

    /** Another peer left {@code room}; {@code roster} is the membership that remains, in join order. */
    record PeerLeft(String room, Member member, LeaveReason reason, List<Member> roster) implements Event {}

    /**
     * A payload from {@code from}. {@code room} is the room it was sent to, or null for a message
     * addressed to one peer without a room. The payload bytes are exactly what the dialect gave the
     * core and are shared between all recipients, so outlets must not modify them.
     */
    record Relayed(String from, String room, byte[] payload, long receivedNanos) implements Event {}

    /** The peer is being removed by the server because a newer connection took its id. */
    record Evicted(String reason) implements Event {}

    /** An operator removed the peer: its connection must be closed, whatever the dialect. */
    record Kicked(String reason) implements Event {}

    /**
     * The node is draining: the peer should reconnect elsewhere after {@code reconnectMs}. Dialects
     * whose protocol cannot say so ignore it; the node closes them when the drain ends.
     */
    record GoingAway(long reconnectMs) implements Event {}
}
