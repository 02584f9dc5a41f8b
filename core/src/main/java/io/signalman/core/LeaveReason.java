package io.signalman.core;

/** Why a peer left a room, as its remaining members are told. */
public enum LeaveReason {
    /** The peer asked to leave. */
    LEFT("left"),
    /** The peer's connection ended. */
    DISCONNECTED("disconnected"),
    /** The server or an operator removed the peer. */
    KICKED("kicked"),
    /** The peer's connection was lost and it did not come back in time. */
    TIMEOUT("timeout");

    private final String wireName;

    LeaveReason(String wireName) {
        this.wireName = wireName;
    }

    /** The lower-case name used by the native protocol. */
    public String wireName() {
        return wireName;
    }
}
