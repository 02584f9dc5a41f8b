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
 * Room capacity across three node JVMs on the shared test Redis: clients on every node ask for the
 * last places of one room in the same instant, well inside one replication delay, and exactly the
 * capacity is admitted (docs/cluster.md, "Room capacity").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterCapacityTest {
    private static final int CAPACITY = 2;
    private static final int PER_NODE = 3;
    private static final int ROUNDS = 5;

    private final String prefix = "test:capacity:" + System.nanoTime() + ":";
    private final List<NodeProcess> nodes = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        for (String name : List.of("c1", "c2", "c3")) {
            nodes.add(NodeProcess.start(name, ClusterNodesTest.REDIS, prefix, "--room-capacity", Integer.toString(CAPACITY)));
        }
        for (NodeProcess node : nodes) node.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        for (NodeProcess node : nodes) node.close();
        TestRedis.deleteKeys(ClusterNodesTest.REDIS, prefix);
    }

    /** Connects {@code PER_NODE} native clients to each node, interleaved, and waits for their welcomes. */
    private List<WsClient> nativeClients(List<String> ids) {
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < PER_NODE * nodes.size(); i++) {
            WsClient client = WsClient.connect(nodes.get(i % nodes.size()).ws("/v1/ws"));
            clients.add(client);
            ids.add(Json.field(client.next(), "peer"));
        }
        return clients;
    }

    @Test
    void racingNativeJoinsOnThreeNodesAdmitExactlyTheCapacity() {
        for (int round = 0; round < ROUNDS; round++) {
            List<String> ids = new ArrayList<>();
            List<WsClient> clients = nativeClients(ids);
            try {
                String room = "cap-" + round;
                // A ping right behind each join: its reply must wait for the join's, however long
                // the cluster takes to answer it.
                for (WsClient client : clients) {
                    client.send("{\"type\":\"join\",\"id\":1,\"room\":\"" + room + "\"}");
                    client.send("{\"type\":\"ping\",\"id\":2}");
                }
                List<Integer> admitted = new ArrayList<>();
                List<String> joinedFrames = new ArrayList<>();
                List<String> early = new ArrayList<>();
                int refused = 0;
                for (int i = 0; i < clients.size(); i++) {
                    String reply = clients.get(i).next();
                    assertThat(Json.field(reply, "re")).as("round %d: %s", round, reply).isEqualTo("1");
                    if (Json.field(reply, "type").equals("joined")) {
                        admitted.add(i);
                        joinedFrames.add(reply);
                        early.add("");
                    } else {
                        assertThat(reply).contains("\"code\":\"room-full\"");
                        refused++;
                    }
                    // Presence may come between the two replies; it is kept for the check below.
                    String frame;
                    while (!(frame = clients.get(i).next()).contains("\"pong\"")) {
                        if (admitted.contains(i)) early.set(early.size() - 1, early.get(early.size() - 1) + frame);
                    }
                    assertThat(frame).isEqualTo("{\"type\":\"pong\",\"re\":2}");
                }
                assertThat(admitted).as("round %d admitted", round).hasSize(CAPACITY);
                assertThat(refused).isEqualTo(clients.size() - CAPACITY);
                signalBetweenAdmitted(clients, ids, admitted, joinedFrames, early, room);
            } finally {
                clients.forEach(WsClient::close);
            }
        }
    }

    /**
     * One admitted member signals the other as soon as it has heard of it; the other must have heard of the
     * sender (in its own {@code joined} or a {@code peer-joined}) before the signal reaches it.
     * {@code early} holds what each admitted member read between its {@code joined} and its pong.
     */
    private static void signalBetweenAdmitted(List<WsClient> clients, List<String> ids, List<Integer> admitted,
            List<String> joinedFrames, List<String> early, String room) {
        int sender = 0;
        int receiver = 1;
        WsClient from = clients.get(admitted.get(sender));
        String toId = ids.get(admitted.get(receiver));
        // Two joins on two nodes may each complete before the other's reaches that node: then each
        // hears of the other in a peer-joined instead of its joined.
        if (!joinedFrames.get(sender).contains(toId) && !early.get(sender).contains(toId)) {
            assertThat(nextOfType(from, "peer-joined")).contains(toId);
        }
        WsClient to = clients.get(admitted.get(receiver));
        String fromId = ids.get(admitted.get(sender));
        from.send("{\"type\":\"signal\",\"id\":3,\"room\":\"" + room + "\",\"to\":\"" + ids.get(admitted.get(receiver))
                + "\",\"data\":\"hi\"}");
        assertThat(nextOfType(from, "ack")).isEqualTo("{\"type\":\"ack\",\"re\":3}");
        boolean known = joinedFrames.get(receiver).contains(fromId) || early.get(receiver).contains(fromId);
        while (true) {
            String frame = to.next();
            String type = Json.field(frame, "type");
            if (type.equals("peer-joined") && frame.contains(fromId)) known = true;
            if (type.equals("signal")) {
                assertThat(known).as("peer-joined before the newcomer's signal").isTrue();
                assertThat(frame).contains("\"from\":\"" + fromId + "\"");
                return;
            }
        }
    }

    @Test
    void placesFreedOnOneNodeAreTakenOnAnother() throws Exception {
        List<String> ids = new ArrayList<>();
        List<WsClient> first = nativeClients(ids);
        List<WsClient> second = new ArrayList<>();
        try {
            first.get(0).send("{\"type\":\"join\",\"id\":1,\"room\":\"reuse\"}");
            assertThat(nextOfType(first.get(0), "joined")).isNotNull();
            first.get(1).send("{\"type\":\"join\",\"id\":1,\"room\":\"reuse\"}");
            assertThat(nextOfType(first.get(1), "joined")).isNotNull();
            first.get(2).send("{\"type\":\"join\",\"id\":1,\"room\":\"reuse\"}");
            assertThat(first.get(2).next()).contains("\"code\":\"room-full\"");
            // One place freed by a leave, one by a disconnect, on two different nodes.
            first.get(0).send("{\"type\":\"leave\",\"id\":2,\"room\":\"reuse\"}");
            nextOfType(first.get(0), "left");
            first.get(1).close();
            Thread.sleep(300); // the leave and the disconnect reach Redis
            List<String> more = new ArrayList<>();
            second = nativeClients(more);
            for (WsClient client : second) client.send("{\"type\":\"join\",\"id\":1,\"room\":\"reuse\"}");
            int admitted = 0;
            for (WsClient client : second) {
                if (Json.field(client.next(), "type").equals("joined")) admitted++;
            }
            assertThat(admitted).isEqualTo(CAPACITY);
        } finally {
            first.forEach(WsClient::close);
            second.forEach(WsClient::close);
        }
    }

    /**
     * The pair dialect: three users whose ids collide into one room name (SEEDS.md §3.5: ids with
     * {@code _}) join from three nodes at once; two are admitted, as two users are, and the third
     * gets the dialect's full-room error and keeps its socket.
     */
    @Test
    void racingPairJoinsOnThreeNodesAdmitTwo() {
        for (int round = 0; round < ROUNDS; round++) {
            String a = "a" + round;
            String room = "room_" + a + "_b_c";
            String[][] users = {{a + "_b", "c"}, {a, "b_c"}, {"c", a + "_b"}};
            List<WsClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < users.length; i++) clients.add(WsClient.connect(nodes.get(i).ws("/pair")));
                for (int i = 0; i < users.length; i++) {
                    clients.get(i).send("{\"type\":\"join\",\"userId\":\"" + users[i][0] + "\",\"remoteId\":\""
                            + users[i][1] + "\"}");
                    // Right behind the join, as a client sends its offer: handled after the join.
                    clients.get(i).send("{\"type\":\"message\",\"data\":" + i + "}");
                }
                List<Integer> admitted = new ArrayList<>();
                for (int i = 0; i < users.length; i++) {
                    String first = clients.get(i).next();
                    String type = Json.field(first, "type");
                    if (type.equals("error")) {
                        assertThat(first).isEqualTo("{\"type\":\"error\",\"message\":\"Room " + room + " is full\"}");
                    } else {
                        assertThat(type).isIn("created", "joined");
                        assertThat(clients.get(i).next()).contains("\"type\":\"roomInfo\"");
                        admitted.add(i);
                    }
                }
                assertThat(admitted).as("round %d admitted", round).hasSize(2);
                // The two admitted users talk; the refused socket is still open (it gets nothing).
                settle();
                int one = admitted.get(0);
                int two = admitted.get(1);
                clients.get(one).send("{\"type\":\"message\",\"data\":\"hello\"}");
                assertThat(nextMessage(clients.get(two), "{\"type\":\"message\",\"data\":\"hello\",\"from\":\""
                        + users[one][0] + "\"}")).as("round %d relay", round).isNotNull();
                int refused = 3 - one - two;
                clients.get(refused).send("{\"type\":\"message\",\"data\":\"ignored\"}");
                clients.get(refused).expectSilence(200);
                assertThat(clients.get(refused).isClosed()).isFalse();
            } finally {
                clients.forEach(WsClient::close);
            }
        }
    }

    /** Lets a change made on one node reach the others (one Redis round trip on loopback). */
    private static void settle() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads frames until {@code expected} arrives (returned) or none come for a while (null). */
    private static String nextMessage(WsClient client, String expected) {
        try {
            while (true) {
                String frame = client.next();
                if (frame.equals(expected)) return frame;
            }
        } catch (AssertionError timeout) {
            return null;
        }
    }

    /** Reads frames until one of {@code type} arrives; fails after five seconds without one. */
    private static String nextOfType(WsClient client, String type) {
        while (true) {
            String frame = client.next();
            if (type.equals(Json.field(frame, "type"))) return frame;
        }
    }
}
