package io.signalman.config;

/**
 * Operator controls of a node.
 *
 * @param adminToken       bearer token of the {@code /admin} API; null turns the API off
 * @param drainTimeoutMs   how long a drain waits for clients to leave before the node stops anyway
 * @param reconnectDelayMs the delay native clients are told to wait in {@code goaway} before reconnecting
 * @param tlsReloadMs      how often listeners look at their certificate files for a renewal; 0 never
 */
public record OpsOptions(String adminToken, long drainTimeoutMs, long reconnectDelayMs, long tlsReloadMs) {

    /** Default of {@link #tlsReloadMs}: a renewal is served within two periods (it must settle for one). */
    public static final long DEFAULT_TLS_RELOAD_MS = 5_000;

    public OpsOptions(String adminToken, long drainTimeoutMs, long reconnectDelayMs) {
        this(adminToken, drainTimeoutMs, reconnectDelayMs, DEFAULT_TLS_RELOAD_MS);
    }

    public static OpsOptions defaults() {
        return new OpsOptions(null, 30_000, 1_000);
    }

    /** These options with another certificate check period. */
    public OpsOptions withTlsReloadMs(long periodMs) {
        return new OpsOptions(adminToken, drainTimeoutMs, reconnectDelayMs, periodMs);
    }
}
