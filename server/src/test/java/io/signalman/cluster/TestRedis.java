package io.signalman.cluster;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;

/** Removes what a test's nodes left under its key prefix in the shared Redis. */
final class TestRedis {
    private TestRedis() {}

    static void deleteKeys(String uri, String prefix) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = new ArrayList<>();
            ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches(prefix + "*").limit(500)).forEachRemaining(keys::add);
            if (!keys.isEmpty()) connection.sync().del(keys.toArray(String[]::new));
        } finally {
            client.shutdown();
        }
    }
}
