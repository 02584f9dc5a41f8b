package io.signalman.cluster.redis;

/**
 * How a node joins a Redis cluster.
 *
 * @param redisUri      where Redis answers, {@code redis://HOST:PORT[/DB]}
 * @param prefix        put before every key and channel, so that several clusters (or tests) can share one Redis
 * @param nodeId        this node's id, unique in the cluster (random when started from the command line)
 * @param heartbeatMs   how often the node renews its heartbeat and looks for dead nodes
 * @param nodeTimeoutMs how long a heartbeat lives; a node silent this long is taken for dead
 * @param queueLimit    most Redis commands waiting on the connection; beyond it they fail at once
 */
public record ClusterOptions(String redisUri, String prefix, String nodeId, long heartbeatMs, long nodeTimeoutMs,
        int queueLimit) {
    public ClusterOptions {
        if (heartbeatMs < 1) throw new IllegalArgumentException("heartbeat must be at least 1 ms");
        if (nodeTimeoutMs <= heartbeatMs) throw new IllegalArgumentException("node timeout must exceed the heartbeat");
        if (queueLimit < 1) throw new IllegalArgumentException("queue limit must be at least 1");
    }
}
