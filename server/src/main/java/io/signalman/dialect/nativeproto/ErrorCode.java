package io.signalman.dialect.nativeproto;

/** The {@code code} values of native {@code error} frames (see docs/protocol.md). */
enum ErrorCode {
    BAD_JSON("bad-json"),
    BAD_REQUEST("bad-request"),
    UNKNOWN_TYPE("unknown-type"),
    UNSUPPORTED("unsupported"),
    TOO_LARGE("too-large"),
    RATE_LIMITED("rate-limited"),
    UNAUTHORIZED("unauthorized"),
    FORBIDDEN("forbidden"),
    ID_TAKEN("id-taken"),
    ROOM_FULL("room-full"),
    ALREADY_IN_ROOM("already-in-room"),
    NOT_IN_ROOM("not-in-room"),
    PEER_UNAVAILABLE("peer-unavailable"),
    EVICTED("evicted"),
    KICKED("kicked"),
    INTERNAL("internal");

    final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }
}
