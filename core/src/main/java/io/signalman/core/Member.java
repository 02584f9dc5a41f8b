package io.signalman.core;

/**
 * A peer as other members of a room see it: its id and the metadata it joined with. {@code meta}
 * is opaque to the core (each dialect stores what it needs, e.g. a JSON object) and must not be
 * modified after the join.
 */
public record Member(String peer, byte[] meta) {
    private static final byte[] NONE = new byte[0];

    public Member {
        if (meta == null) meta = NONE;
    }
}
