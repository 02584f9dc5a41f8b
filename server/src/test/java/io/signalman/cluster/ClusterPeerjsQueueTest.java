package io.signalman.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.signalman.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * PeerJS messages for ids that have not connected yet, with two nodes in two JVMs on the shared test
 * Redis: they wait in Redis, reach the id on whichever node it connects to, in order and once, and
 * come back to their senders as {@code EXPIRE} when it does not. Without Redis these tests fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterPeerjsQueueTest {
    private static final String OPEN = "{\"type\":\"OPEN\"}";
    private static final long EXPIRE_MS = 1_500;

    private final String prefix = "test:peerjs:" + System.nanoTime() + ":";
    private final List<NodeProcess> nodes = new ArrayList<>();
    private int unique;

    @BeforeAll
    void start() throws Exception {
        for (String name : List.of("n1", "n2")) {
            nodes.add(NodeProcess.start(name, ClusterNodesTest.REDIS, prefix,
                    "--peerjs-expire-timeout-ms", Long.toString(EXPIRE_MS),
                    "--peerjs-queue-limit", "400", "--peerjs-queue-bytes", "350000"));
        }
        for (NodeProcess node : nodes) node.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        for (NodeProcess node : nodes) node.close();
        TestRedis.deleteKeys(ClusterNodesTest.REDIS, prefix);
    }

    /** Whatever a test queued was either handed over or expired: nothing stays behind in Redis. */
    @AfterEach
    void nothingLeftInRedis() {
        RedisClient client = RedisClient.create(ClusterNodesTest.REDIS);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(connection.sync().keys(prefix + "pjq:*")).isEmpty();
            assertThat(connection.sync().zcard(prefix + "pjd")).isZero();
            assertThat(connection.sync().get(prefix + "pjb")).isNull();
        } finally {
            client.shutdown();
        }
    }

    private String id(String label) {
        return label + (++unique);
    }

    private WsClient client(int node, String id) {
        WsClient client = WsClient.connect(nodes.get(node).ws("/peerjs/peerjs?key=peerjs&id=" + id + "&token=t-" + id));
        assertThat(client.next()).isEqualTo(OPEN);
        return client;
    }

    private static String relay(String type, String src, String dst, String payload) {
        return "{\"type\":\"" + type + "\",\"src\":\"" + src + "\",\"dst\":\"" + dst + "\",\"payload\":" + payload + "}";
    }

    @Test
    void messagesWaitForAnIdThatConnectsToAnotherNode() {
        String caller = id("caller");
        String callee = id("callee");
        try (WsClient a = client(0, caller)) {
            a.send("{\"type\":\"OFFER\",\"dst\":\"" + callee + "\",\"payload\":{\"sdp\":\"v=0\"}}");
            for (int i = 0; i < 3; i++) {
                a.send("{\"type\":\"CANDIDATE\",\"dst\":\"" + callee + "\",\"payload\":{\"candidate\":" + i + "}}");
            }
            pause(300);
            try (WsClient b = client(1, callee)) {
                assertThat(b.next()).isEqualTo(relay("OFFER", caller, callee, "{\"sdp\":\"v=0\"}"));
                for (int i = 0; i < 3; i++) {
                    assertThat(b.next()).isEqualTo(relay("CANDIDATE", caller, callee, "{\"candidate\":" + i + "}"));
                }
                b.send("{\"type\":\"ANSWER\",\"dst\":\"" + caller + "\",\"payload\":{\"sdp\":\"v=1\"}}");
                assertThat(a.next()).isEqualTo(relay("ANSWER", callee, caller, "{\"sdp\":\"v=1\"}"));
                // Delivered, so no EXPIRE follows when the timeout passes, and nothing comes twice.
                a.expectSilence(EXPIRE_MS + 700);
                b.expectSilence(100);
            }
        }
    }

    @Test
    void messagesSentWhileTheIdRegistersArriveInOrderOnce() throws Exception {
        String caller = id("caller");
        String callee = id("callee");
        int count = 300;
        try (WsClient a = client(0, caller)) {
            CompletableFuture<WsClient> joining = new CompletableFuture<>();
            for (int i = 0; i < count; i++) {
                a.send("{\"type\":\"CANDIDATE\",\"dst\":\"" + callee + "\",\"payload\":" + i + "}");
                if (i == 40) {
                    CompletableFuture.runAsync(() -> joining.complete(
                            WsClient.connect(nodes.get(1).ws("/peerjs/peerjs?key=peerjs&id=" + callee + "&token=t"))));
                }
                if (i % 10 == 0) pause(2);
            }
            try (WsClient b = joining.get(10, TimeUnit.SECONDS)) {
                assertThat(b.next()).isEqualTo(OPEN);
                for (int i = 0; i < count; i++) {
                    assertThat(b.next()).isEqualTo(relay("CANDIDATE", caller, callee, Integer.toString(i)));
                }
                b.expectSilence(300);
                a.expectSilence(EXPIRE_MS + 500);
            }
        }
    }

    @Test
    void sendersOnEveryNodeHearExpireOnceWhenTheIdNeverComes() {
        String one = id("one");
        String two = id("two");
        String never = id("never");
        try (WsClient a = client(0, one); WsClient b = client(1, two)) {
            a.send("{\"type\":\"OFFER\",\"dst\":\"" + never + "\",\"payload\":1}");
            a.send("{\"type\":\"CANDIDATE\",\"dst\":\"" + never + "\",\"payload\":2}");
            b.send("{\"type\":\"OFFER\",\"dst\":\"" + never + "\",\"payload\":3}");
            a.send("{\"type\":\"OFFER\",\"dst\":5,\"payload\":4}");
            long sent = System.nanoTime();
            String expireA = "{\"type\":\"EXPIRE\",\"src\":\"" + never + "\",\"dst\":\"" + one + "\"}";
            String expireNumber = "{\"type\":\"EXPIRE\",\"src\":5,\"dst\":\"" + one + "\"}";
            List<String> toA = List.of(a.next(), a.next());
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertThat(toA).containsExactlyInAnyOrder(expireA, expireNumber);
            assertThat(waitedMs).isBetween(EXPIRE_MS - 300, EXPIRE_MS + 1_500);
            assertThat(b.next()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"" + never + "\",\"dst\":\"" + two + "\"}");
            a.expectSilence(300);
            b.expectSilence(100);
            // The messages are gone: the id that connects now finds nothing.
            try (WsClient late = client(1, never)) {
                late.expectSilence(300);
            }
        }
    }

    @Test
    void theQueueLimitsHoldAcrossNodes() {
        String sender = id("sender");
        String many = id("many");
        String big = id("big");
        try (WsClient a = client(0, sender)) {
            for (int i = 0; i < 402; i++) {
                a.send("{\"type\":\"CANDIDATE\",\"dst\":\"" + many + "\",\"payload\":" + i + "}");
            }
            String refusedMany = "{\"type\":\"EXPIRE\",\"src\":\"" + many + "\",\"dst\":\"" + sender + "\"}";
            assertThat(a.next()).isEqualTo(refusedMany);
            assertThat(a.next()).isEqualTo(refusedMany);
            String payload = "\"" + "x".repeat(100_000) + "\"";
            for (int i = 0; i < 3; i++) {
                a.send("{\"type\":\"OFFER\",\"dst\":\"" + big + "\",\"payload\":" + payload + "}");
            }
            // 402 small ones and two of 100 kB fit in 350,000 bytes; the third big one does not.
            assertThat(a.next()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"" + big + "\",\"dst\":\"" + sender + "\"}");
            try (WsClient m = client(1, many); WsClient g = client(1, big)) {
                for (int i = 0; i < 400; i++) {
                    assertThat(m.next()).isEqualTo(relay("CANDIDATE", sender, many, Integer.toString(i)));
                }
                assertThat(g.next()).isEqualTo(relay("OFFER", sender, big, payload));
                assertThat(g.next()).isEqualTo(relay("OFFER", sender, big, payload));
                m.expectSilence(200);
                g.expectSilence(100);
                a.expectSilence(EXPIRE_MS);
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
