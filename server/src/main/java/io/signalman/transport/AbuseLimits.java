package io.signalman.transport;

import java.util.List;

/**
 * Limits that keep one client from hurting the node or other clients, on every dialect.
 *
 * @param messagesPerSecond        sustained frames per second one connection may send (token bucket)
 * @param messageBurst             frames a connection may send at once above the sustained rate
 * @param rateStrikes              frames refused in a row for rate before the connection is closed
 * @param connectionsPerIp         open connections from one IP address
 * @param newConnectionsPerSecond  new connections per second from one IP address (burst: the same number)
 * @param outboundQueueBytes       bytes queued for one slow reader before it is disconnected
 * @param handshakeTimeoutMs       time for a new connection to complete its HTTP request or upgrade
 * @param allowedOrigins           {@code Origin} values browsers may connect from; empty allows any
 */
public record AbuseLimits(
        double messagesPerSecond,
        int messageBurst,
        int rateStrikes,
        int connectionsPerIp,
        double newConnectionsPerSecond,
        long outboundQueueBytes,
        long handshakeTimeoutMs,
        List<String> allowedOrigins) {

    /**
     * Limits too high to matter, for load generators and benchmarks that drive one connection far
     * beyond what any signaling client sends.
     */
    public static AbuseLimits unlimited() {
        return new AbuseLimits(1e9, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 1e9,
                Integer.MAX_VALUE, 10_000, List.of());
    }

    public static AbuseLimits defaults() {
        return new AbuseLimits(100, 200, 50, 1000, 200, 4L * 1024 * 1024, 10_000, List.of());
    }
}
