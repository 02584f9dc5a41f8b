package io.signalman.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalman.core.Event;
import io.signalman.core.JoinOutcome;
import io.signalman.core.LeaveReason;
import io.signalman.core.Outlet;
import io.signalman.core.Peer;
import io.signalman.core.RoomPolicy;
import io.signalman.core.SendOutcome;
import io.signalman.core.Switchboard;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two engines in one JVM on the shared test Redis (127.0.0.1:6379, or {@code SIGNALMAN_TEST_REDIS}),
 * each under a key prefix of its own per test. Without Redis these tests fail, by design.
 */
class RedisEngineTest {
    static final String REDIS = System.getenv().getOrDefault("SIGNALMAN_TEST_REDIS", "redis://127.0.0.1:6379");
    static final RoomPolicy ROOMS = new RoomPolicy(3, true);

    private final List<RedisEngine> engines = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void prefix() {
        prefix = "test:" + getClass().getSimpleName() + ":" + System.nanoTime() + ":";
    }

    @AfterEach
    void close() {
        engines.forEach(RedisEngine::close);
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(REDIS);
        try (var connection = client.connect()) {
            List<String> keys = new ArrayList<>();
            io.lettuce.core.ScanIterator.scan(connection.sync(), io.lettuce.core.ScanArgs.Builder.matches(prefix + "*"))
                    .forEachRemaining(keys::add);
            if (!keys.isEmpty()) connection.sync().del(keys.toArray(String[]::new));
        } finally {
            client.shutdown();
        }
    }

    private Switchboard node(String id) {
        RedisEngine engine = new RedisEngine(new ClusterOptions(REDIS, prefix, id, 100, 600, 65_536));
        engines.add(engine);
        await("Redis at " + REDIS + " answers (these tests need it)").atMost(Duration.ofSeconds(5)).until(engine::isReady);
        return new Switchboard(engine, 8);
    }

    @Test
    void presenceAndSignalsCrossNodes() {
        Switchboard a = node("a");
        Switchboard b = node("b");
        Recorder alice = new Recorder();
        Recorder bob = new Recorder();
        Peer pa = a.connect("r", "alice", alice, Switchboard.DuplicatePolicy.REJECT);
        assertThat(a.join(pa, "room", "{\"n\":1}".getBytes(StandardCharsets.UTF_8), ROOMS)).isInstanceOf(JoinOutcome.Joined.class);
        await().until(() -> b.engine().isMember("r", "room", "alice"));

        Peer pb = b.connect("r", "bob", bob, Switchboard.DuplicatePolicy.REJECT);
        JoinOutcome joined = b.join(pb, "room", null, ROOMS);
        assertThat(((JoinOutcome.Joined) joined).others()).extracting(m -> m.peer()).containsExactly("alice");
        assertThat(new String(((JoinOutcome.Joined) joined).others().get(0).meta(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
        await().until(() -> alice.of(Event.PeerJoined.class).size() == 1);
        assertThat(alice.of(Event.PeerJoined.class).get(0).member().peer()).isEqualTo("bob");

        assertThat(b.signal(pb, "alice", "room", bytes("offer"), 0)).isEqualTo(SendOutcome.DELIVERED);
        await().until(() -> alice.texts().contains("offer"));
        assertThat(a.broadcast(pa, "room", bytes("hello all"), 0)).isEqualTo(SendOutcome.DELIVERED);
        await().until(() -> bob.texts().contains("hello all"));
        assertThat(alice.texts()).doesNotContain("hello all");

        b.disconnect(pb, LeaveReason.DISCONNECTED);
        await().until(() -> alice.of(Event.PeerLeft.class).size() == 1);
        Event.PeerLeft left = alice.of(Event.PeerLeft.class).get(0);
        assertThat(left.member().peer()).isEqualTo("bob");
        assertThat(left.reason()).isEqualTo(LeaveReason.DISCONNECTED);
        assertThat(a.signal(pa, "bob", null, bytes("x"), 0)).isEqualTo(SendOutcome.PEER_UNAVAILABLE);
    }

    @Test
    void tenThousandSignalsArriveInOrder() {
        Switchboard a = node("a");
        Switchboard b = node("b");
        Recorder sink = new Recorder();
        Peer sender = a.connect("r", "sender", new Recorder(), Switchboard.DuplicatePolicy.REJECT);
        Peer receiver = b.connect("r", "receiver", sink, Switchboard.DuplicatePolicy.REJECT);
        a.join(sender, "room", null, ROOMS);
        await().until(() -> b.engine().isMember("r", "room", "sender"));
        b.join(receiver, "room", null, ROOMS);
        await().until(() -> a.engine().isMember("r", "room", "receiver"));
        for (int i = 0; i < 10_000; i++) {
            assertThat(a.signal(sender, "receiver", "room", bytes(Integer.toString(i)), 0)).isEqualTo(SendOutcome.DELIVERED);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.texts().size() >= 10_000);
        List<String> texts = sink.texts();
        assertThat(texts).hasSize(10_000);
        for (int i = 0; i < 10_000; i++) assertThat(texts.get(i)).isEqualTo(Integer.toString(i));
    }

    @Test
    void aNewerConnectionOnAnotherNodeTakesTheIdOver() {
        Switchboard a = node("a");
        Switchboard b = node("b");
        Recorder first = new Recorder();
        Recorder other = new Recorder();
        Peer old = a.connect("d", "same", first, Switchboard.DuplicatePolicy.REPLACE);
        a.join(old, "room", null, ROOMS);
        Peer watcher = a.connect("d", "watcher", other, Switchboard.DuplicatePolicy.REPLACE);
        a.join(watcher, "room", null, ROOMS);
        await().until(() -> b.engine().peerIds("d").contains("same"));

        Peer newer = b.connect("d", "same", new Recorder(), Switchboard.DuplicatePolicy.REPLACE);
        assertThat(newer).isNotNull();
        await().until(() -> first.of(Event.Evicted.class).size() == 1);
        await().until(() -> other.of(Event.PeerLeft.class).size() == 1);
        assertThat(other.of(Event.PeerLeft.class).get(0).reason()).isEqualTo(LeaveReason.KICKED);
        assertThat(old.isConnected()).isFalse();
        // The id now lives on b: a relays to it there.
        await().until(() -> a.engine().find("d", "same") == null && a.engine().peerIds("d").contains("same"));
        assertThat(b.engine().find("d", "same")).isSameAs(newer);
        // A node refusing duplicates keeps the holder on the other node.
        assertThat(a.connect("d", "same", new Recorder(), Switchboard.DuplicatePolicy.REJECT)).isNull();
    }

    @Test
    void aStoppedNodesPeersLeave() {
        Switchboard a = node("a");
        Switchboard b = node("b");
        Recorder alice = new Recorder();
        Peer pa = a.connect("r", "alice", alice, Switchboard.DuplicatePolicy.REJECT);
        a.join(pa, "room", null, ROOMS);
        Peer pb = b.connect("r", "bob", new Recorder(), Switchboard.DuplicatePolicy.REJECT);
        await().until(() -> b.engine().isMember("r", "room", "alice"));
        b.join(pb, "room", null, ROOMS);
        await().until(() -> alice.of(Event.PeerJoined.class).size() == 1);
        engines.get(1).close();
        await().atMost(Duration.ofSeconds(3)).until(() -> alice.of(Event.PeerLeft.class).size() == 1);
        assertThat(a.engine().peerIds("r")).containsExactly("alice");
    }

    @Test
    void capacityCountsMembersOnOtherNodes() {
        Switchboard a = node("a");
        Switchboard b = node("b");
        for (int i = 0; i < 3; i++) {
            Peer p = a.connect("r", "p" + i, new Recorder(), Switchboard.DuplicatePolicy.REJECT);
            assertThat(a.join(p, "room", null, ROOMS)).isInstanceOf(JoinOutcome.Joined.class);
        }
        await().until(() -> b.engine().roster("r", "room").size() == 3);
        Peer late = b.connect("r", "late", new Recorder(), Switchboard.DuplicatePolicy.REJECT);
        assertThat(b.join(late, "room", null, ROOMS)).isEqualTo(new JoinOutcome.Full(3));
    }

    @Test
    void racingAsyncJoinsOnTwoNodesAdmitExactlyTheCapacity() throws Exception {
        Switchboard a = node("a");
        Switchboard b = node("b");
        List<java.util.concurrent.CompletableFuture<JoinOutcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Peer pa = a.connect("r", "a" + i, new Recorder(), Switchboard.DuplicatePolicy.REJECT);
            Peer pb = b.connect("r", "b" + i, new Recorder(), Switchboard.DuplicatePolicy.REJECT);
            outcomes.add(a.joinAsync(pa, "room", null, ROOMS).toCompletableFuture());
            outcomes.add(b.joinAsync(pb, "room", null, ROOMS).toCompletableFuture());
        }
        int joined = 0;
        for (var outcome : outcomes) {
            JoinOutcome done = outcome.get(5, java.util.concurrent.TimeUnit.SECONDS);
            if (done instanceof JoinOutcome.Joined) {
                joined++;
            } else {
                assertThat(done).isEqualTo(new JoinOutcome.Full(3));
            }
        }
        assertThat(joined).isEqualTo(3);
        await().until(() -> a.engine().roster("r", "room").size() == 3 && b.engine().roster("r", "room").size() == 3);
    }

    @Test
    void aHeldPeerKeepsItsPlace() throws Exception {
        Switchboard a = node("a");
        Switchboard b = node("b");
        io.signalman.core.SessionSource nothingKept = new io.signalman.core.SessionSource() {
            @Override
            public Released release(String realm, String token, Outlet late) {
                return null;
            }

            @Override
            public List<Kept> sessions() {
                return List.of();
            }
        };
        a.engine().enableSessionMoves("r", 10_000, 16, nothingKept);
        b.engine().enableSessionMoves("r", 10_000, 16, nothingKept);
        RoomPolicy one = new RoomPolicy(1, true);
        Peer kept = a.connect("r", "kept", new Recorder(), Switchboard.DuplicatePolicy.REJECT);
        a.engine().sessionOpened(kept, "token", false);
        assertThat(a.joinAsync(kept, "room", null, one).toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS))
                .isInstanceOf(JoinOutcome.Joined.class);
        engines.get(0).close(); // node a leaves; its peer's session waits for its client elsewhere
        Peer late = b.connect("r", "late", new Recorder(), Switchboard.DuplicatePolicy.REJECT);
        assertThat(b.joinAsync(late, "room", null, one).toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(new JoinOutcome.Full(1));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Keeps every event it is given. */
    static final class Recorder implements Outlet {
        final List<Event> events = new CopyOnWriteArrayList<>();

        @Override
        public void deliver(Event event) {
            events.add(event);
        }

        <T extends Event> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }

        List<String> texts() {
            return of(Event.Relayed.class).stream().map(r -> new String(r.payload(), StandardCharsets.UTF_8)).toList();
        }
    }
}
