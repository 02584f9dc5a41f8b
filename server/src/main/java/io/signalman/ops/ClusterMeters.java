package io.signalman.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.signalman.cluster.redis.RedisEngine;

/** The {@code signalman_cluster_*} series of a node that runs with {@code --cluster}. */
public final class ClusterMeters {
    private ClusterMeters() {}

    public static void bind(MeterRegistry registry, RedisEngine engine) {
        Gauge.builder("signalman_cluster_ready", engine, e -> e.isReady() ? 1 : 0)
                .description("1 while Redis answers and this node is in step with it").register(registry);
        Gauge.builder("signalman_cluster_nodes", engine, RedisEngine::nodes)
                .description("Nodes registered in Redis at the last heartbeat").register(registry);
        Gauge.builder("signalman_cluster_remote_peers", engine, RedisEngine::remotePeers)
                .description("Peers on other nodes, as this node knows them").register(registry);
        FunctionCounter.builder("signalman_cluster_outages", engine, RedisEngine::outages)
                .description("Times Redis became unreachable").register(registry);
        FunctionCounter.builder("signalman_cluster_write_failures", engine, RedisEngine::writeFailures)
                .description("Redis writes that failed").register(registry);
        FunctionCounter.builder("signalman_cluster_published", engine, RedisEngine::published)
                .description("Messages published to other nodes").register(registry);
        FunctionCounter.builder("signalman_cluster_received", engine, RedisEngine::received)
                .description("Messages and events received from Redis").register(registry);
        FunctionCounter.builder("signalman_cluster_dead_nodes", engine, RedisEngine::reapedNodes)
                .description("Dead nodes whose peers this node removed").register(registry);
    }
}
