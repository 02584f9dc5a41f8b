package io.signalman.config;

/**
 * Operator controls of a node.
 *
 * @param adminToken       bearer token of the {@code /admin} API; null turns the API off
 * @param drainTimeoutMs   how long a drain waits for clients to leave before the node stops anyway
 * @param reconnectDelayMs the delay native clients are told to wait in {@code goaway} before reconnecting
 */
public record OpsOptions(String adminToken, long drainTimeoutMs, long reconnectDelayMs) {

    public static OpsOptions defaults() {
        return new OpsOptions(null, 30_000, 1_000);
    }
}
