package io.signalman.core;

/**
 * Rules a dialect applies to the rooms of its realm.
 *
 * @param capacity most members a room may hold (at least 1)
 * @param announce whether members get {@link Event.PeerJoined} and {@link Event.PeerLeft}; a
 *                 relay-to-all listener turns this off, since nobody reads presence there
 */
public record RoomPolicy(int capacity, boolean announce) {
    public RoomPolicy {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
    }

    /** A room without a practical limit, for realms that cap nothing. */
    public static RoomPolicy unbounded(boolean announce) {
        return new RoomPolicy(Integer.MAX_VALUE, announce);
    }
}
