package io.signalman.dialect.workspaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.signalman.cluster.redis.ClusterOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis store against the shared test Redis (127.0.0.1:6379, or {@code SIGNALMAN_TEST_REDIS}),
 * under a key prefix of its own. Without Redis these tests fail, by design.
 */
class RedisWorkspaceStoreTest {
    private static final String REDIS = System.getenv().getOrDefault("SIGNALMAN_TEST_REDIS", "redis://127.0.0.1:6379");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix = "test:wsstore:" + System.nanoTime() + ":";
    private final List<RedisWorkspaceStore> stores = new ArrayList<>();

    private RedisWorkspaceStore store(String uri) {
        RedisWorkspaceStore store = new RedisWorkspaceStore(new ClusterOptions(uri, prefix, "t", 1000, 5000, 1000));
        stores.add(store);
        return store;
    }

    @AfterEach
    void cleanUp() {
        stores.forEach(RedisWorkspaceStore::close);
        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = connection.sync().keys(prefix + "*");
            if (!keys.isEmpty()) connection.sync().del(keys.toArray(String[]::new));
        } finally {
            client.shutdown();
        }
    }

    private static ObjectNode workspace(String id) {
        ObjectNode workspace = JSON.createObjectNode().put("id", id).put("owner", "_o");
        workspace.putObject("attendees").putObject("_o").put("id", "_o");
        workspace.putObject("socketMap").put("_o", "s0");
        return workspace;
    }

    @Test
    void oneKeyPerWorkspaceHoldingTheOriginalsEntry() throws Exception {
        RedisWorkspaceStore store = store(REDIS);
        assertThat(store.create("_w1", workspace("_w1"))).isTrue();
        assertThat(store.create("_w1", workspace("_other"))).isFalse();
        assertThat(store.get("_w1")).isEqualTo(workspace("_w1"));

        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(JSON.readTree(connection.sync().get(prefix + "workspace:_w1"))).isEqualTo(workspace("_w1"));
        } finally {
            client.shutdown();
        }
        store.remove("_w1");
        assertThat(store.get("_w1")).isNull();
        assertThat(store.<String>update("_w1", w -> w == null ? "missing" : "found")).isEqualTo("missing");
    }

    @Test
    void aChangeThatChangesNothingWritesNothingAndReadsAreCopies() {
        RedisWorkspaceStore store = store(REDIS);
        store.create("_w2", workspace("_w2"));
        store.get("_w2").put("name", "changed only in the copy");
        assertThat(store.<String>update("_w2", w -> w.path("owner").asText())).isEqualTo("_o");
        assertThat(store.get("_w2")).isEqualTo(workspace("_w2"));
    }

    /** Two stores (as two nodes) add attendees at once; a lost update would leave fewer than all. */
    @Test
    void concurrentUpdatesFromTwoStoresLoseNothing() throws Exception {
        RedisWorkspaceStore one = store(REDIS);
        RedisWorkspaceStore two = store(REDIS);
        one.create("_w3", workspace("_w3"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                RedisWorkspaceStore store = t % 2 == 0 ? one : two;
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 50; i++) {
                        String id = "_a" + thread + "x" + i;
                        store.update("_w3", w -> {
                            w.withObject("/attendees").putObject(id).put("id", id);
                            return null;
                        });
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : done) future.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(WorkspaceStore.attendeeCount(one.get("_w3"))).isEqualTo(1 + 4 * 50);
    }

    @Test
    void anUnreachableRedisFailsTheCallAtOnce() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        RedisWorkspaceStore store = store("redis://127.0.0.1:" + closedPort);
        long started = System.nanoTime();
        assertThatThrownBy(() -> store.get("_w4")).isInstanceOf(WorkspaceStore.Unavailable.class);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(RedisWorkspaceStore.TIMEOUT.toMillis() + 1000);
    }
}
