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

    private NodeProcess node(String name, String redis, String prefix) throws Exception {
        NodeProcess node = NodeProcess.start(name, redis, prefix);
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

    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    @Test
    void peersOfAKilledNodeLeaveWithinTheNodeTimeout() throws Exception {
        String prefix = "test:kill:" + System.nanoTime() + ":";
        String redis = ClusterNodesTest.REDIS;
        running.add(() -> TestRedis.deleteKeys(redis, prefix)); // closed last: after the nodes
        NodeProcess n1 = node("k1", redis, prefix);
        NodeProcess n2 = node("k2", redis, prefix);
        NodeProcess doomed = node("k3", redis, prefix);
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
            String c = join(carol, "r");
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
