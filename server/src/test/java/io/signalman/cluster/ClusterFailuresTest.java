package io.signalman.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.testing.Json;
import io.signalman.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failures a cluster must survive: a node killed with SIGKILL, and Redis stopped and started again
 * under traffic. The second runs its own {@code redis-server} on 127.0.0.2 (the shared one is never
 * stopped); without the {@code redis-server} binary it fails, by design.
 */
class ClusterFailuresTest {
    private final List<AutoCloseable> running = new ArrayList<>();

    /** Closes in reverse order of start, so what was registered first is closed last. */
    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) running.get(i).close();
    }

    private NodeProcess node(String name, String redis, String prefix, String... extra) throws Exception {
        NodeProcess node = NodeProcess.start(name, redis, prefix, extra);
        running.add(node);
        return node;
    }

    private static String nextOfType(WsClient client, String type) {
        while (true) {
            String frame = client.next();
            if (type.equals(Json.field(frame, "type"))) return frame;
        }
    }

    private static String join(WsClient client, String room) {
        String peer = Json.field(nextOfType(client, "welcome"), "peer");
        client.send("{\"type\":\"join\",\"id\":\"j\",\"room\":\"" + room + "\"}");
        nextOfType(client, "joined");
        return peer;
    }

    /** Reads the welcome, joins {@code room}, and returns the welcome (its session is for resuming). */
    private static String joinKeepingWelcome(WsClient client, String room) {
        String welcome = nextOfType(client, "welcome");
        client.send("{\"type\":\"join\",\"id\":\"j\",\"room\":\"" + room + "\"}");
        nextOfType(client, "joined");
        return welcome;
    }

    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    @Test
    void peersOfAKilledNodeLeaveWithinTheNodeTimeout() throws Exception {
        String prefix = "test:kill:" + System.nanoTime() + ":";
        String redis = ClusterNodesTest.REDIS;
        running.add(() -> TestRedis.deleteKeys(redis, prefix)); // closed last: after the nodes
        // Without a resume window: a native peer of a dead node leaves as at once as the others
        // (aNativeClientOfAKilledNodeResumesOnAnotherNode covers the window).
        NodeProcess n1 = node("k1", redis, prefix, "--resume-window-ms", "0");
        NodeProcess n2 = node("k2", redis, prefix, "--resume-window-ms", "0");
        NodeProcess doomed = node("k3", redis, prefix, "--resume-window-ms", "0");
        for (NodeProcess n : List.of(n1, n2, doomed)) n.awaitReady(Duration.ofSeconds(60));
        try (WsClient alice = WsClient.connect(n1.ws("/v1/ws"));
             WsClient carol = WsClient.connect(n2.ws("/v1/ws"));
             WsClient bob = WsClient.connect(doomed.ws("/v1/ws"));
             WsClient pairA = WsClient.connect(n1.ws("/pair"));
             WsClient pairB = WsClient.connect(doomed.ws("/pair"))) {
            join(alice, "r");
            pause(200);
            join(carol, "r");
            pause(200);
            String b = join(bob, "r");
            nextOfType(alice, "peer-joined");
            nextOfType(alice, "peer-joined");
            nextOfType(carol, "peer-joined");
            pairA.send("{\"type\":\"join\",\"userId\":\"a\",\"remoteId\":\"b\"}");
            assertThat(pairA.next()).contains("created");
            pairA.next();
            pause(200);
            pairB.send("{\"type\":\"join\",\"userId\":\"b\",\"remoteId\":\"a\"}");
            assertThat(pairA.next()).contains("ready");
            assertThat(pairA.next()).contains("\"userCount\":2");

            long killed = System.nanoTime();
            doomed.kill();
            String left = nextOfType(alice, "peer-left");
            long noticedMillis = (System.nanoTime() - killed) / 1_000_000;
            assertThat(left).isEqualTo("{\"type\":\"peer-left\",\"room\":\"r\",\"peer\":\"" + b + "\",\"reason\":\"disconnected\"}");
            assertThat(nextOfType(carol, "peer-left")).isEqualTo(left);
            // Node timeout 1000 ms, heartbeat 200 ms: noticed within their sum, plus scheduling slack.
            assertThat(noticedMillis).isLessThan(2_500);
            assertThat(pairA.next()).contains("\"type\":\"bye\"").contains("\"userId\":\"b\"");
            assertThat(pairA.next()).contains("\"userCount\":1");
            // And the killed peer is gone from the directory: signalling it fails.
            alice.send("{\"type\":\"signal\",\"id\":9,\"to\":\"" + b + "\",\"data\":1}");
            assertThat(nextOfType(alice, "error")).contains("peer-unavailable");
        }
    }

    private static String signal(String to, int n) {
        return "{\"type\":\"signal\",\"id\":" + n + ",\"to\":\"" + to + "\",\"room\":\"r\",\"data\":{\"n\":" + n + "}}";
    }

    /** Reads signals until {@code count} have arrived; returns their {@code n} values in arrival order. */
    private static List<Integer> signals(WsClient client, int count) {
        List<Integer> got = new ArrayList<>();
        while (got.size() < count) {
            String frame = nextOfType(client, "signal");
            got.add(Integer.parseInt(frame.replaceAll(".*\"n\":(\\d+).*", "$1")));
        }
        return got;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> list = new ArrayList<>();
        for (int i = from; i < to; i++) list.add(i);
        return list;
    }

    @Test
    void aNativeClientOfAKilledNodeResumesOnAnotherNodeWithEverySignalSentMeanwhileOnce() throws Exception {
        String prefix = "test:resume-kill:" + System.nanoTime() + ":";
        String redis = ClusterNodesTest.REDIS;
        running.add(() -> TestRedis.deleteKeys(redis, prefix));
        String[] window = {"--resume-window-ms", "4000"};
        NodeProcess n1 = node("r1", redis, prefix, window);
        NodeProcess n2 = node("r2", redis, prefix, window);
        NodeProcess doomed = node("r3", redis, prefix, window);
        for (NodeProcess n : List.of(n1, n2, doomed)) n.awaitReady(Duration.ofSeconds(60));
        try (WsClient alice = WsClient.connect(n1.ws("/v1/ws"));
             WsClient carol = WsClient.connect(n2.ws("/v1/ws"));
             WsClient bob = WsClient.connect(doomed.ws("/v1/ws"));
             WsClient dan = WsClient.connect(doomed.ws("/v1/ws"))) {
            String a = join(alice, "r");
            pause(200);
            join(carol, "r");
            pause(200);
            String bobWelcome = joinKeepingWelcome(bob, "r");
            String b = Json.field(bobWelcome, "peer");
            pause(200);
            String d = join(dan, "r");
            for (int i = 0; i < 3; i++) nextOfType(alice, "peer-joined");
            for (int i = 0; i < 2; i++) nextOfType(carol, "peer-joined");

            doomed.kill();
            // Some while the other nodes still take it for alive, some after they have noticed.
            for (int i = 0; i < 10; i++) {
                alice.send(signal(b, i));
                assertThat(nextOfType(alice, "ack")).contains("\"re\":" + i);
                pause(200);
            }
            alice.send("{\"type\":\"broadcast\",\"id\":\"all\",\"room\":\"r\",\"data\":{\"n\":10}}");
            nextOfType(alice, "ack");
            carol.send(signal(b, 100));
            nextOfType(carol, "ack");

            try (WsClient back = WsClient.connect(n2.ws("/v1/ws?resume=" + Json.field(bobWelcome, "session")))) {
                String welcome = nextOfType(back, "welcome");
                assertThat(welcome).contains("\"peer\":\"" + b + "\"").contains("\"resumed\":true")
                        .contains("\"rooms\":[\"r\"]");
                List<Integer> fromAlice = new ArrayList<>();
                List<Integer> fromCarol = new ArrayList<>();
                int broadcasts = 0;
                for (int i = 0; i < 12; i++) {
                    String frame = back.next();
                    int n = Integer.parseInt(frame.replaceAll(".*\"n\":(\\d+).*", "$1"));
                    if (Json.field(frame, "type").equals("broadcast")) {
                        broadcasts++;
                    } else if (n >= 100) {
                        fromCarol.add(n);
                    } else {
                        fromAlice.add(n);
                    }
                }
                assertThat(fromAlice).as("every signal sent while bob's node was dead, in order, once")
                        .isEqualTo(range(0, 10));
                assertThat(fromCarol).containsExactly(100);
                assertThat(broadcasts).isEqualTo(1);
                back.expectSilence(300);

                alice.send(signal(b, 11));
                assertThat(signals(back, 1)).containsExactly(11);
                back.send("{\"type\":\"signal\",\"to\":\"" + a + "\",\"room\":\"r\",\"data\":{\"n\":50}}");
                assertThat(signals(alice, 1)).containsExactly(50);

                // dan never came back: when the window ends the room hears of dan, and of no one else.
                String left = nextOfType(alice, "peer-left");
                assertThat(left).isEqualTo("{\"type\":\"peer-left\",\"room\":\"r\",\"peer\":\"" + d
                        + "\",\"reason\":\"timeout\"}");
                assertThat(nextOfType(back, "peer-left")).isEqualTo(left);
                assertThat(nextOfType(carol, "peer-left")).isEqualTo(left);
            }
        }
    }

    @Test
    void aNativeSessionMovesFromALiveNodeToAnotherWithItsHeldSignals() throws Exception {
        String prefix = "test:resume-move:" + System.nanoTime() + ":";
        String redis = ClusterNodesTest.REDIS;
        running.add(() -> TestRedis.deleteKeys(redis, prefix));
        NodeProcess n1 = node("m1", redis, prefix);
        NodeProcess n2 = node("m2", redis, prefix);
        for (NodeProcess n : List.of(n1, n2)) n.awaitReady(Duration.ofSeconds(60));
        try (WsClient alice = WsClient.connect(n1.ws("/v1/ws"));
             WsClient bob = WsClient.connect(n2.ws("/v1/ws"))) {
            String a = join(alice, "r");
            pause(200);
            String bobWelcome = joinKeepingWelcome(bob, "r");
            String b = Json.field(bobWelcome, "peer");
            nextOfType(alice, "peer-joined");

            bob.abort(); // lost: node m2 holds bob's session
            pause(300);
            for (int i = 0; i < 5; i++) {
                alice.send(signal(b, i));
                nextOfType(alice, "ack");
            }
            try (WsClient back = WsClient.connect(n1.ws("/v1/ws?resume=" + Json.field(bobWelcome, "session")))) {
                String welcome = nextOfType(back, "welcome");
                assertThat(welcome).contains("\"peer\":\"" + b + "\"").contains("\"resumed\":true");
                // The five held on m2 arrive first; five more sent right after the move follow them.
                for (int i = 5; i < 10; i++) {
                    alice.send(signal(b, i));
                    nextOfType(alice, "ack");
                }
                assertThat(signals(back, 10)).isEqualTo(range(0, 10));
                back.send("{\"type\":\"signal\",\"to\":\"" + a + "\",\"room\":\"r\",\"data\":{\"n\":7}}");
                assertThat(signals(alice, 1)).containsExactly(7);

                // And back again, this time while the connection on m1 still lives (a half-open one).
                try (WsClient again = WsClient.connect(n2.ws("/v1/ws?resume=" + Json.field(bobWelcome, "session")))) {
                    assertThat(nextOfType(again, "welcome")).contains("\"resumed\":true").contains(b);
                    assertThat(nextOfType(back, "error")).contains("evicted");
                    alice.send(signal(b, 20));
                    assertThat(signals(again, 1)).containsExactly(20);
                    assertThat(alice.next()).isEqualTo("{\"type\":\"ack\",\"re\":20}");
                    alice.expectSilence(300); // no peer-left, no peer-joined
                }
            }
        }
    }

    @Test
    void aDrainMovesANativeClientToAnotherNodeWithoutLosingOrRepeatingASignal() throws Exception {
        String prefix = "test:drain:" + System.nanoTime() + ":";
        String redis = ClusterNodesTest.REDIS;
        running.add(() -> TestRedis.deleteKeys(redis, prefix));
        String admin = "drain-test-token-0123456789";
        NodeProcess draining = node("d1", redis, prefix, "--admin-token", admin, "--drain-timeout-ms", "20000",
                "--goaway-reconnect-ms", "100");
        NodeProcess other = node("d2", redis, prefix);
        for (NodeProcess n : List.of(draining, other)) n.awaitReady(Duration.ofSeconds(60));
        try (WsClient alice = WsClient.connect(other.ws("/v1/ws"));
             WsClient bob = WsClient.connect(draining.ws("/v1/ws"))) {
            join(alice, "r");
            pause(200);
            String bobWelcome = joinKeepingWelcome(bob, "r");
            String b = Json.field(bobWelcome, "peer");
            nextOfType(alice, "peer-joined");
            for (int i = 0; i < 5; i++) alice.send(signal(b, i));

            assertThat(draining.post("/admin/drain", admin)).isEqualTo(202);
            List<Integer> got = new ArrayList<>();
            while (true) {
                String frame = bob.next();
                String type = Json.field(frame, "type");
                if (type.equals("goaway")) break;
                if (type.equals("signal")) got.add(Integer.parseInt(frame.replaceAll(".*\"n\":(\\d+).*", "$1")));
            }
            assertThat(draining.readyStatus()).isEqualTo(503);

            // Alice keeps sending while bob moves: the old connection stays open until the new one takes over.
            Thread sender = new Thread(() -> {
                for (int i = 5; i < 40; i++) {
                    alice.send(signal(b, i));
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sender.start();
            pause(40);
            try (WsClient back = WsClient.connect(other.ws("/v1/ws?resume=" + Json.field(bobWelcome, "session")))) {
                assertThat(nextOfType(back, "welcome")).contains("\"peer\":\"" + b + "\"").contains("\"resumed\":true");
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                boolean evicted = false;
                while (!(bob.isClosed() && bob.pending() == 0)) {
                    assertThat(System.nanoTime()).as("the old connection closes").isLessThan(deadline);
                    if (bob.pending() == 0) {
                        pause(5);
                        continue;
                    }
                    String frame = bob.next();
                    if (frame.contains("\"code\":\"evicted\"")) evicted = true;
                    if (Json.field(frame, "type").equals("signal")) {
                        got.add(Integer.parseInt(frame.replaceAll(".*\"n\":(\\d+).*", "$1")));
                    }
                }
                assertThat(evicted).isTrue();
                sender.join();
                got.addAll(signals(back, 40 - got.size()));
                assertThat(got).as("every signal once, in order, across the move").isEqualTo(range(0, 40));
                back.expectSilence(200);
            }
            // With its last session gone, the drained node stops on its own.
            assertThat(draining.awaitExit(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void localTrafficSurvivesARedisRestartAndTheClusterHeals() throws Exception {
        int port = NodeProcess.freePort();
        String redis = "redis://127.0.0.2:" + port;
        RedisServer server = new RedisServer("127.0.0.2", port);
        running.add(server);
        server.start();
        String prefix = "test:outage:";
        NodeProcess n1 = node("o1", redis, prefix);
        NodeProcess n2 = node("o2", redis, prefix);
        n1.awaitReady(Duration.ofSeconds(60));
        n2.awaitReady(Duration.ofSeconds(60));
        try (WsClient alice = WsClient.connect(n1.ws("/v1/ws"));
             WsClient carol = WsClient.connect(n1.ws("/v1/ws"));
             WsClient bob = WsClient.connect(n2.ws("/v1/ws"))) {
            String a = join(alice, "r");
            String carolWelcome = joinKeepingWelcome(carol, "r");
            String c = Json.field(carolWelcome, "peer");
            nextOfType(alice, "peer-joined");
            pause(200);
            String b = join(bob, "r");
            nextOfType(alice, "peer-joined");
            nextOfType(carol, "peer-joined");

            server.stop();
            awaitStatus(n1, 503);
            awaitStatus(n2, 503);
            // Local traffic keeps flowing; the peer on the other node is out of reach meanwhile.
            alice.send("{\"type\":\"signal\",\"id\":1,\"to\":\"" + c + "\",\"data\":\"local\"}");
            assertThat(nextOfType(carol, "signal")).contains("\"data\":\"local\"");
            assertThat(nextOfType(alice, "ack")).contains("\"re\":1");
            alice.send("{\"type\":\"signal\",\"id\":2,\"to\":\"" + b + "\",\"data\":\"far\"}");
            assertThat(nextOfType(alice, "error")).contains("peer-unavailable");
            try (WsClient dave = WsClient.connect(n1.ws("/v1/ws"))) {
                String d = join(dave, "r");
                assertThat(nextOfType(alice, "peer-joined")).contains(d);
                assertThat(nextOfType(carol, "peer-joined")).contains(d);

                server.start(); // the same port, empty: every node must register its peers again
                awaitStatus(n1, 200);
                awaitStatus(n2, 200);
                // bob hears of the peer that joined during the outage, and nobody hears a false departure.
                assertThat(nextOfType(bob, "peer-joined")).contains(d);
                alice.send("{\"type\":\"signal\",\"id\":3,\"to\":\"" + b + "\",\"data\":\"back\"}");
                assertThat(nextOfType(bob, "signal")).contains("\"from\":\"" + a + "\"").contains("\"data\":\"back\"");
                assertThat(nextOfType(alice, "ack")).contains("\"re\":3");
                bob.send("{\"type\":\"signal\",\"id\":4,\"to\":\"" + d + "\",\"data\":\"hi\"}");
                assertThat(nextOfType(dave, "signal")).contains("\"data\":\"hi\"");
                assertThat(nextOfType(bob, "ack")).contains("\"re\":4");
                // No false departures or returns: every node kept the others' peers across the restart.
                bob.expectSilence(300);
                alice.expectSilence(0);
                carol.expectSilence(0);

                // Session records were written again too: carol, connected since before the restart,
                // loses her connection and takes her session to the other node.
                carol.abort();
                pause(200);
                alice.send("{\"type\":\"signal\",\"id\":5,\"to\":\"" + c + "\",\"data\":\"held\"}");
                assertThat(nextOfType(alice, "ack")).contains("\"re\":5");
                try (WsClient moved = WsClient.connect(n2.ws("/v1/ws?resume=" + Json.field(carolWelcome, "session")))) {
                    assertThat(nextOfType(moved, "welcome")).contains("\"resumed\":true").contains(c);
                    assertThat(nextOfType(moved, "signal")).contains("\"data\":\"held\"");
                }
            }
            String metrics = n1.get("/metrics").body();
            assertThat(metrics).containsPattern("signalman_cluster_outages_total [1-9]");
            assertThat(metrics).contains("signalman_cluster_ready 1.0");
            assertThat(n1.output()).contains("unreachable");
        }
    }

    private static void awaitStatus(NodeProcess node, int status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int last = -2;
        while (System.nanoTime() < deadline) {
            last = node.readyStatus();
            if (last == status) return;
            Thread.sleep(50);
        }
        throw new AssertionError(node.name + ": /readyz answered " + last + ", not " + status + "\n" + node.output());
    }

    /** A redis-server of this test's own, in the foreground, persisting nothing. */
    static final class RedisServer implements AutoCloseable {
        private final String host;
        private final int port;
        private Process process;

        RedisServer(String host, int port) {
            this.host = host;
            this.port = port;
        }

        void start() throws Exception {
            Path log = Path.of("target", "cluster-nodes").toAbsolutePath();
            Files.createDirectories(log);
            process = new ProcessBuilder("redis-server", "--bind", host, "--port", Integer.toString(port),
                    "--save", "", "--appendonly", "no", "--dir", log.toString())
                    .redirectErrorStream(true).redirectOutput(log.resolve("redis-" + port + ".log").toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                try (java.net.Socket socket = new java.net.Socket(host, port)) {
                    return;
                } catch (java.io.IOException notYet) {
                    if (!process.isAlive()) throw new AssertionError("redis-server exited with " + process.exitValue());
                    Thread.sleep(50);
                }
            }
            throw new AssertionError("redis-server did not answer on " + host + ":" + port);
        }

        void stop() throws InterruptedException {
            if (process == null) return;
            process.destroy();
            process.waitFor();
            process = null;
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
