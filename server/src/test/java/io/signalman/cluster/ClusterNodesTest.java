package io.signalman.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.testing.Json;
import io.signalman.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three nodes in three JVMs on the shared test Redis (127.0.0.1:6379, or {@code SIGNALMAN_TEST_REDIS}),
 * with the clients of each dialect spread over them. Without Redis the nodes never become ready and
 * these tests fail, by design.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterNodesTest {
    static final String REDIS = System.getenv().getOrDefault("SIGNALMAN_TEST_REDIS", "redis://127.0.0.1:6379");

    private final String prefix = "test:nodes:" + System.nanoTime() + ":";
    private final List<NodeProcess> nodes = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        for (String name : List.of("n1", "n2", "n3")) nodes.add(NodeProcess.start(name, REDIS, prefix));
        for (NodeProcess node : nodes) node.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        for (NodeProcess node : nodes) node.close();
        TestRedis.deleteKeys(REDIS, prefix);
    }

    private NodeProcess node(int index) {
        return nodes.get(index);
    }

    /** Reads frames until one of {@code type} arrives; fails after five seconds without one. */
    private static String nextOfType(WsClient client, String type) {
        while (true) {
            String frame = client.next();
            if (type.equals(Json.field(frame, "type"))) return frame;
        }
    }

    private static String welcome(WsClient client) {
        return Json.field(nextOfType(client, "welcome"), "peer");
    }

    @Test
    void nativeRoomSpansThreeNodes() {
        try (WsClient alice = WsClient.connect(node(0).ws("/v1/ws"));
             WsClient bob = WsClient.connect(node(1).ws("/v1/ws"));
             WsClient carol = WsClient.connect(node(2).ws("/v1/ws"))) {
            String a = welcome(alice);
            String b = welcome(bob);
            String c = welcome(carol);
            alice.send("{\"type\":\"join\",\"id\":1,\"room\":\"r\",\"meta\":{\"name\":\"alice\"}}");
            assertThat(nextOfType(alice, "joined")).contains("\"peers\":[]");
            settle();
            bob.send("{\"type\":\"join\",\"id\":2,\"room\":\"r\"}");
            assertThat(nextOfType(bob, "joined")).contains("{\"peer\":\"" + a + "\",\"meta\":{\"name\":\"alice\"}}");
            assertThat(nextOfType(alice, "peer-joined")).contains("\"peer\":\"" + b + "\"");
            settle();
            carol.send("{\"type\":\"join\",\"id\":3,\"room\":\"r\"}");
            assertThat(nextOfType(carol, "joined")).contains(a).contains(b);
            assertThat(nextOfType(alice, "peer-joined")).contains(c);
            assertThat(nextOfType(bob, "peer-joined")).contains(c);

            bob.send("{\"type\":\"signal\",\"id\":4,\"to\":\"" + a + "\",\"data\":{\"sdp\":\"v=0 2.50\"}}");
            assertThat(nextOfType(bob, "ack")).isEqualTo("{\"type\":\"ack\",\"re\":4}");
            assertThat(nextOfType(alice, "signal"))
                    .isEqualTo("{\"type\":\"signal\",\"from\":\"" + b + "\",\"data\":{\"sdp\":\"v=0 2.50\"}}");
            carol.send("{\"type\":\"broadcast\",\"room\":\"r\",\"data\":[1, 2]}");
            String expected = "{\"type\":\"broadcast\",\"room\":\"r\",\"from\":\"" + c + "\",\"data\":[1, 2]}";
            assertThat(nextOfType(alice, "broadcast")).isEqualTo(expected);
            assertThat(nextOfType(bob, "broadcast")).isEqualTo(expected);

            carol.send("{\"type\":\"leave\",\"id\":5,\"room\":\"r\"}");
            assertThat(nextOfType(alice, "peer-left")).contains(c).contains("\"reason\":\"left\"");
            assertThat(nextOfType(bob, "peer-left")).contains(c).contains("\"reason\":\"left\"");
            bob.close();
            assertThat(nextOfType(alice, "peer-left")).contains(b).contains("\"reason\":\"disconnected\"");
        }
    }

    /**
     * Lets a change made on one node reach the others through Redis (one round trip on loopback).
     * Clients of these protocols cannot ask a node what it knows, so the test waits; the assertions
     * that follow fail if the wait was too short.
     */
    private static void settle() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void tenThousandSignalsAcrossNodesArriveInOrder() {
        try (WsClient sender = WsClient.connect(node(0).ws("/v1/ws"));
             WsClient receiver = WsClient.connect(node(1).ws("/v1/ws"))) {
            welcome(sender);
            String r = welcome(receiver);
            sender.send("{\"type\":\"join\",\"id\":1,\"room\":\"order\"}");
            nextOfType(sender, "joined");
            settle();
            receiver.send("{\"type\":\"join\",\"id\":1,\"room\":\"order\"}");
            nextOfType(receiver, "joined");
            nextOfType(sender, "peer-joined");
            for (int i = 0; i < 10_000; i++) {
                sender.send("{\"type\":\"signal\",\"to\":\"" + r + "\",\"data\":" + i + "}");
            }
            for (int i = 0; i < 10_000; i++) {
                String frame = receiver.next();
                assertThat(frame).endsWith("\"data\":" + i + "}");
            }
            receiver.expectSilence(200);
            assertThat(sender.pending()).isZero(); // no errors came back
        }
    }

    @Test
    void pairRoomAcrossNodes() {
        try (WsClient a = WsClient.connect(node(0).ws("/pair"));
             WsClient b = WsClient.connect(node(2).ws("/pair"))) {
            a.send("{\"type\":\"join\",\"userId\":\"ua\",\"remoteId\":\"ub\"}");
            assertThat(a.next()).isEqualTo("{\"type\":\"created\",\"room\":\"room_ua_ub\"}");
            assertThat(a.next()).contains("\"userCount\":1");
            settle();
            b.send("{\"type\":\"join\",\"userId\":\"ub\",\"remoteId\":\"ua\"}");
            assertThat(b.next()).isEqualTo("{\"type\":\"joined\",\"room\":\"room_ua_ub\"}");
            assertThat(b.next()).contains("\"userId\":\"ua\"").contains("\"userId\":\"ub\"").contains("\"userCount\":2");
            assertThat(a.next()).isEqualTo("{\"type\":\"ready\",\"room\":\"room_ua_ub\"}");
            assertThat(a.next()).contains("\"userCount\":2");
            a.send("{\"type\":\"message\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
            assertThat(b.next()).isEqualTo("{\"type\":\"message\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"},\"from\":\"ua\"}");
            b.send("{\"type\":\"candidate\",\"candidate\":{\"c\":1}}");
            assertThat(a.next()).isEqualTo("{\"type\":\"message\",\"data\":{\"type\":\"candidate\",\"candidate\":{\"c\":1}},\"from\":\"ub\"}");

            // The duplicate kick: ua connects again, on a third node; the old socket is told and closed.
            try (WsClient again = WsClient.connect(node(1).ws("/pair"))) {
                again.send("{\"type\":\"join\",\"userId\":\"ua\",\"remoteId\":\"ub\"}");
                assertThat(a.next()).contains("\"type\":\"error\"");
                a.awaitClose();
                // As on one node: b hears ready and the room without the old socket, then its bye.
                assertThat(again.next()).isEqualTo("{\"type\":\"joined\",\"room\":\"room_ua_ub\"}");
                String both = again.next();
                assertThat(both).contains("\"userCount\":2");
                assertThat(b.next()).isEqualTo("{\"type\":\"ready\",\"room\":\"room_ua_ub\"}");
                assertThat(b.next()).isEqualTo(both);
                assertThat(b.next()).contains("\"type\":\"bye\"").contains("\"userId\":\"ua\"");
                assertThat(b.next()).isEqualTo(both);
                assertThat(again.next()).contains("\"type\":\"bye\"");
                assertThat(again.next()).isEqualTo(both);
                again.send("{\"type\":\"message\",\"data\":1}");
                assertThat(b.next()).isEqualTo("{\"type\":\"message\",\"data\":1,\"from\":\"ua\"}");
            }
        }
    }

    @Test
    void broadcastReachesClientsOnEveryNode() {
        try (WsClient a = WsClient.connect(node(0).ws("/broadcast"));
             WsClient b = WsClient.connect(node(1).ws("/broadcast"));
             WsClient c = WsClient.connect(node(2).ws("/broadcast"))) {
            settle();
            a.send("{\"offer\": 1}");
            assertThat(b.next()).isEqualTo("{\"offer\": 1}");
            assertThat(c.next()).isEqualTo("{\"offer\": 1}");
            c.send("not json at all");
            assertThat(a.next()).isEqualTo("not json at all");
            assertThat(b.next()).isEqualTo("not json at all");
            a.expectSilence(200);
        }
    }

    @Test
    void directIdsReachAcrossNodes() {
        try (WsClient alice = WsClient.connect(node(0).ws("/direct/alice"));
             WsClient bob = WsClient.connect(node(2).ws("/direct/bob"))) {
            settle();
            alice.send("{\"id\":\"bob\",\"type\":\"offer\",\"description\":\"v=0\"}");
            assertThat(bob.next()).isEqualTo("{\"id\":\"alice\",\"type\":\"offer\",\"description\":\"v=0\"}");
            bob.send("{\"id\":\"alice\",\"type\":\"answer\"}");
            assertThat(alice.next()).isEqualTo("{\"id\":\"bob\",\"type\":\"answer\"}");
            // A newer connection with the same id on another node takes the id over.
            try (WsClient bob2 = WsClient.connect(node(1).ws("/direct/bob"))) {
                settle();
                alice.send("{\"id\":\"bob\",\"n\":2}");
                assertThat(bob2.next()).isEqualTo("{\"id\":\"alice\",\"n\":2}");
                bob.expectSilence(200);
            }
        }
    }

    @Test
    void peerjsMessagesCrossNodes() {
        try (WsClient p1 = WsClient.connect(node(0).ws("/peerjs/peerjs?key=peerjs&id=p1&token=t1"));
             WsClient p2 = WsClient.connect(node(1).ws("/peerjs/peerjs?key=peerjs&id=p2&token=t2"))) {
            assertThat(p1.next()).isEqualTo("{\"type\":\"OPEN\"}");
            assertThat(p2.next()).isEqualTo("{\"type\":\"OPEN\"}");
            settle();
            p1.send("{\"type\":\"OFFER\",\"dst\":\"p2\",\"payload\":{\"sdp\":\"x\"}}");
            String offer = p2.next();
            assertThat(Json.field(offer, "type")).isEqualTo("OFFER");
            assertThat(Json.field(offer, "src")).isEqualTo("p1");
            assertThat(offer).contains("\"payload\":{\"sdp\":\"x\"}");
            // The id is taken cluster-wide: another token on a third node is refused.
            try (WsClient thief = WsClient.connect(node(2).ws("/peerjs/peerjs?key=peerjs&id=p1&token=other"))) {
                assertThat(Json.field(thief.next(), "type")).isEqualTo("ID-TAKEN");
            }
        }
    }

    @Test
    void starAnnouncementsAndHandshakesReachEveryNode() {
        String a = "/ip4/127.0.0.1/tcp/9090/ws/p2p-webrtc-star/p2p/QmAlice";
        String b = "/ip4/127.0.0.1/tcp/9090/ws/p2p-webrtc-star/p2p/QmBob";
        try (WsClient alice = socketIo(node(0));
             WsClient bob = socketIo(node(2))) {
            alice.send("42[\"ss-join\",\"" + a + "\"]");
            settle();
            bob.send("42[\"ss-join\",\"" + b + "\"]");
            assertThat(nextEvent(alice, "ws-peer")).isEqualTo("42[\"ws-peer\",\"" + b + "\"]");
            bob.send("42[\"ss-handshake\",{\"srcMultiaddr\":\"" + b + "\",\"dstMultiaddr\":\"" + a
                    + "\",\"signal\":{\"type\":\"offer\"}}]");
            assertThat(nextEvent(alice, "ws-handshake")).isEqualTo("42[\"ws-handshake\",{\"srcMultiaddr\":\"" + b
                    + "\",\"dstMultiaddr\":\"" + a + "\",\"signal\":{\"type\":\"offer\"}}]");
            // alice's periodic re-announcement (--star-refresh-ms, 10 s by default) is not awaited here;
            // bob hears alice when she joins again.
            alice.send("42[\"ss-join\",\"" + a + "\"]");
            assertThat(nextEvent(bob, "ws-peer")).isEqualTo("42[\"ws-peer\",\"" + a + "\"]");
        }
    }

    /** A Socket.IO 4 client over a bare WebSocket: Engine.IO open, then the default namespace. */
    private static WsClient socketIo(NodeProcess node) {
        WsClient client = WsClient.connect(node.ws("/socket.io/?EIO=4&transport=websocket"));
        assertThat(client.next()).startsWith("0{");
        client.send("40");
        assertThat(client.next()).startsWith("40");
        return client;
    }

    private static String nextEvent(WsClient client, String name) {
        while (true) {
            String frame = client.next();
            if (frame.startsWith("42[\"" + name + "\"")) return frame;
        }
    }
}
