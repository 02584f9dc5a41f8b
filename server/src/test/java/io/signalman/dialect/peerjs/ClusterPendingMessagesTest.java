package io.signalman.dialect.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.signalman.cluster.redis.ClusterOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis side of the cluster's PeerJS queue on the shared test Redis (127.0.0.1:6379, or
 * {@code SIGNALMAN_TEST_REDIS}); two instances with different node ids stand for two nodes. Without
 * Redis these tests fail. The end-to-end cases are in {@code ClusterPeerjsQueueTest}.
 */
class ClusterPendingMessagesTest {
    private static final String REDIS = System.getenv().getOrDefault("SIGNALMAN_TEST_REDIS", "redis://127.0.0.1:6379");

    private final String prefix = "test:pjq:" + System.nanoTime() + ":";
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<String> expired = Collections.synchronizedList(new ArrayList<>());
    private final List<ClusterPendingMessages> opened = new ArrayList<>();
    private RedisClient client;
    private StatefulRedisConnection<String, String> redis;

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS);
        redis = client.connect();
    }

    @AfterEach
    void close() {
        opened.forEach(ClusterPendingMessages::close);
        List<String> keys = redis.sync().keys(prefix + "*");
        if (!keys.isEmpty()) redis.sync().del(keys.toArray(String[]::new));
        redis.close();
        client.shutdown();
        timers.shutdownNow();
    }

    private ClusterPendingMessages node(String name, int perIdLimit, long byteLimit, long maxAgeMillis) throws Exception {
        ClusterPendingMessages queue = new ClusterPendingMessages(new ClusterOptions(REDIS, prefix, name, 1000, 5000, 1000),
                perIdLimit, byteLimit, maxAgeMillis, timers, (sender, dst) -> expired.add(sender + "<-" + dst));
        opened.add(queue);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!queue.connected()) {
            assertThat(System.nanoTime()).as("connected to Redis").isLessThan(deadline);
            Thread.sleep(10);
        }
        return queue;
    }

    private static CompletableFuture<ClusterPendingMessages.Outcome> offer(ClusterPendingMessages queue, String src,
            String dst, String frame) {
        CompletableFuture<ClusterPendingMessages.Outcome> outcome = new CompletableFuture<>();
        queue.offer(src, dst, PeerjsFrames.quote(dst), utf8(frame), outcome::complete);
        return outcome;
    }

    private static List<String> take(ClusterPendingMessages queue, String id) throws Exception {
        CompletableFuture<List<byte[]>> taken = new CompletableFuture<>();
        queue.take(PeerjsFrames.quote(id), taken::complete);
        return taken.get(5, TimeUnit.SECONDS).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void anEntryIsTheEnginesRelayMessage() {
        byte[] entry = ClusterPendingMessages.entry("bob", "alice", utf8("{\"x\":1}"));
        assertThat(new String(entry, StandardCharsets.UTF_8)).isEqualTo("1:P6:peerjs3:bob1:r5:alice0:{\"x\":1}");
        ClusterPendingMessages.Entry read = ClusterPendingMessages.Entry.parse(entry);
        assertThat(read.src()).isEqualTo("alice");
        assertThat(new String(read.frame(), StandardCharsets.UTF_8)).isEqualTo("{\"x\":1}");
    }

    @Test
    void queuedMessagesGoToTheNodeThatTakesThemInOrderOnce() throws Exception {
        ClusterPendingMessages n1 = node("n1", 10, 1 << 20, 5_000);
        ClusterPendingMessages n2 = node("n2", 10, 1 << 20, 5_000);
        for (int i = 0; i < 3; i++) {
            assertThat(offer(n1, "a", "b", "m" + i).get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.QUEUED);
        }
        assertThat(offer(n2, "c", "b", "m3").get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.QUEUED);
        assertThat(take(n2, "b")).containsExactly("m0", "m1", "m2", "m3");
        assertThat(take(n2, "b")).isEmpty();
        assertThat(redis.sync().get(prefix + "pjr:\"b\"")).isEqualTo("n2");
        assertThat(redis.sync().get(prefix + "pjb")).isNull();
        assertThat(redis.sync().zcard(prefix + "pjd")).isZero();
    }

    @Test
    void anOfferForATakenIdIsPublishedToItsNodeOrQueuedIfThatNodeIsGone() throws Exception {
        ClusterPendingMessages n1 = node("n1", 10, 1 << 20, 5_000);
        ClusterPendingMessages n2 = node("n2", 10, 1 << 20, 5_000);
        take(n2, "b");
        // Nobody listens on n2's channel yet: the holder is forgotten and the message waits.
        assertThat(offer(n1, "a", "b", "lost?").get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.QUEUED);
        assertThat(redis.sync().get(prefix + "pjr:\"b\"")).isNull();
        assertThat(take(n2, "b")).containsExactly("lost?");

        LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
        StatefulRedisPubSubConnection<byte[], byte[]> channel = client.connectPubSub(ByteArrayCodec.INSTANCE);
        try {
            channel.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] name, byte[] message) {
                    heard.add(new String(message, StandardCharsets.UTF_8));
                }
            });
            channel.sync().subscribe(utf8(prefix + "node:n2"));
            assertThat(offer(n1, "a", "b", "now").get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.PUBLISHED);
            assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("1:P6:peerjs1:b1:r1:a0:now");
            // Once the id left n2, messages for it wait again.
            n2.release("\"b\"");
            for (int i = 0; i < 500 && redis.sync().get(prefix + "pjr:\"b\"") != null; i++) Thread.sleep(10);
            assertThat(offer(n1, "a", "b", "later").get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.QUEUED);
            assertThat(take(n1, "b")).containsExactly("later");
        } finally {
            channel.close();
        }
    }

    @Test
    void aDestinationIsBusyUntilItsLastOfferIsAnswered() throws Exception {
        ClusterPendingMessages n1 = node("n1", 10, 1 << 20, 5_000);
        CompletableFuture<Boolean> busyAfterFirst = new CompletableFuture<>();
        CompletableFuture<Boolean> busyAfterSecond = new CompletableFuture<>();
        assertThat(n1.anyBusy()).isFalse();
        // Redis holds every client's commands for a moment, so that both offers are surely out
        // when the assertions below run (an answer can otherwise beat the next line).
        redis.sync().clientPause(500);
        n1.offer("a", "b", "\"b\"", utf8("1"), outcome -> busyAfterFirst.complete(n1.busy("\"b\"")));
        n1.offer("a", "b", "\"b\"", utf8("2"), outcome -> busyAfterSecond.complete(n1.busy("\"b\"") || n1.anyBusy()));
        assertThat(n1.busy("\"b\"")).isTrue();
        assertThat(n1.busy("\"c\"")).isFalse();
        // Answers come in order on one connection: the second offer is still out when the first returns.
        assertThat(busyAfterFirst.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(busyAfterSecond.get(5, TimeUnit.SECONDS)).isFalse();
        take(n1, "b");
    }

    @Test
    void limitsPerIdAndInBytesHoldAcrossNodes() throws Exception {
        String big = "x".repeat(1000);
        long cost = ClusterPendingMessages.entry("b", "a", utf8(big)).length + PendingMessages.OVERHEAD_BYTES;
        ClusterPendingMessages n1 = node("n1", 2, 3 * cost, 5_000);
        ClusterPendingMessages n2 = node("n2", 2, 3 * cost, 5_000);
        assertThat(offer(n1, "a", "b", big).get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.QUEUED);
        assertThat(offer(n2, "a", "b", big).get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.QUEUED);
        assertThat(offer(n1, "a", "b", big).get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.REFUSED);
        assertThat(offer(n2, "a", "c", big).get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.QUEUED);
        assertThat(offer(n1, "a", "d", big).get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.REFUSED);
        assertThat(take(n1, "b")).hasSize(2);
        assertThat(offer(n1, "a", "d", big).get(5, TimeUnit.SECONDS)).isEqualTo(ClusterPendingMessages.Outcome.QUEUED);
        assertThat(Long.parseLong(redis.sync().get(prefix + "pjb"))).isEqualTo(2 * cost);
    }

    @Test
    void expiryTakesTheMessagesOnceAndTellsEachSenderOnce() throws Exception {
        ClusterPendingMessages n1 = node("n1", 10, 1 << 20, 300);
        ClusterPendingMessages n2 = node("n2", 10, 1 << 20, 300);
        long start = System.nanoTime();
        offer(n1, "a", "b", "1").get(5, TimeUnit.SECONDS);
        offer(n2, "a", "b", "2").get(5, TimeUnit.SECONDS);
        offer(n2, "c", "b", "3").get(5, TimeUnit.SECONDS);
        while (expired.size() < 2 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) Thread.sleep(10);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(280);
        Thread.sleep(600); // both nodes' passes have run again meanwhile
        assertThat(expired).containsExactlyInAnyOrder("a<-\"b\"", "c<-\"b\"");
        assertThat(take(n1, "b")).isEmpty();
        assertThat(redis.sync().get(prefix + "pjb")).isNull();
        assertThat(redis.sync().zcard(prefix + "pjd")).isZero();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
