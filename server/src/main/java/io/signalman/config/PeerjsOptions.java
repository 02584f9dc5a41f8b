package io.signalman.config;

import java.util.List;

/**
 * Settings of the {@code peerjs} dialect, named after the PeerJS server's own options where it has one.
 *
 * @param path            where the PeerJS API is served on the dialect's listener (the server's {@code path})
 * @param key             the API key clients must present on the WebSocket ({@code key})
 * @param allowDiscovery  whether {@code GET <path>/<key>/peers} lists connected ids ({@code allow_discovery})
 * @param aliveTimeoutMs  close a client that sent no {@code HEARTBEAT} for this long ({@code alive_timeout})
 * @param expireTimeoutMs how long messages for an id that has not connected wait before the senders
 *                        get {@code EXPIRE} ({@code expire_timeout})
 * @param concurrentLimit most ids connected at once ({@code concurrent_limit})
 * @param queueLimit      most messages waiting for one id that has not connected (the original had no bound)
 * @param queueBytes      most bytes of messages waiting for all such ids together
 * @param corsOrigins     origins the HTTP API allows; empty allows every origin, as the original does by default
 */
public record PeerjsOptions(
        String path,
        String key,
        boolean allowDiscovery,
        long aliveTimeoutMs,
        long expireTimeoutMs,
        int concurrentLimit,
        int queueLimit,
        long queueBytes,
        List<String> corsOrigins) {

    /** The defaults: those of the {@code peerjs} command of npm {@code peer} 1.0.2, plus the queue bounds. */
    public static PeerjsOptions defaults() {
        return new PeerjsOptions("/", "peerjs", false, 60_000, 5_000, 5_000, 128, 16L << 20, List.of());
    }

    public PeerjsOptions {
        corsOrigins = List.copyOf(corsOrigins);
    }

    /** The path as clients write it, with a leading and a trailing slash ({@code /}, {@code /myapp/}). */
    public String normalizedPath() {
        String p = path.startsWith("/") ? path : "/" + path;
        return p.endsWith("/") ? p : p + "/";
    }
}
