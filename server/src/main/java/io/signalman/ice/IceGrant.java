package io.signalman.ice;

import io.signalman.config.IceServer;
import java.util.List;

/**
 * The ICE servers one client may use, and for how long.
 *
 * @param servers    in the W3C {@code RTCIceServer} shape: static entries first, then minted TURN credentials
 * @param ttlSeconds how long the credentials stay valid; 0 when nothing in the list expires
 */
public record IceGrant(List<IceServer> servers, long ttlSeconds) {
    /** The share of the TTL after which a client should hold fresh credentials. */
    static final double REFRESH_AT = 0.8;

    public IceGrant {
        servers = List.copyOf(servers);
        if (ttlSeconds < 0) throw new IllegalArgumentException("ttlSeconds must not be negative");
    }

    /**
     * When to hand the client a replacement, in milliseconds from now: at 80% of the TTL, which leaves
     * a fifth of it for the new list to arrive and be used, and for clocks that run a little apart.
     * Meaningless when {@link #ttlSeconds()} is 0.
     */
    public long refreshDelayMillis() {
        return Math.max(1, (long) (ttlSeconds * 1000 * REFRESH_AT));
    }
}
