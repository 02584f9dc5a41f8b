package io.signalman.cluster.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import java.time.Duration;

/**
 * Lettuce clients for the cluster's Redis that never make a caller wait behind a dead connection:
 * commands fail at once while Redis is away, and no command, connect included, takes longer than
 * the given timeout (Lettuce's default connect timeout of 10 s would hold a caller that long). For
 * the dialects' own cluster state (workspaces, the PeerJS queue), beside the engine's connections.
 */
public final class FailFastRedis {
    private FailFastRedis() {}

    /** The cluster's Redis address with {@code timeout} for its commands. */
    public static RedisURI uri(ClusterOptions cluster, Duration timeout) {
        RedisURI uri = RedisURI.create(cluster.redisUri());
        uri.setTimeout(timeout);
        return uri;
    }

    public static RedisClient client(ClusterOptions cluster, Duration timeout) {
        return client(uri(cluster, timeout), timeout);
    }

    public static RedisClient client(RedisURI uri, Duration timeout) {
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .build());
        return client;
    }
}
