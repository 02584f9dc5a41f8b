package io.signalman.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.signalman.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The workspaces dialect (seed 001) on three nodes in three JVMs sharing the test Redis: the owner
 * on one node, attendees on the others, the capacity counted across nodes, attends racing for the
 * last seat from two nodes, and the workspaces kept through a restart of every node. Without Redis
 * the nodes never become ready and these tests fail, by design.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterWorkspacesTest {
    private static final String REDIS = ClusterNodesTest.REDIS;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ENV = Map.of("MAGICK_TOKEN", "cluster-magick-token",
            "SALT_STRING", "cluster-salt-string", "DEVELOPMENT", "false");
    private static final int CAPACITY = 3;
    private static final String WRONG_PIN = "This workspace is protected with a PIN. Wrong PIN provided.";

    private final String prefix = "test:workspaces:" + System.nanoTime() + ":";
    private final List<NodeProcess> nodes = new ArrayList<>();
    private int generation;

    @BeforeAll
    void start() throws Exception {
        startNodes();
    }

    @AfterAll
    void stop() throws Exception {
        stopNodes();
        TestRedis.deleteKeys(REDIS, prefix);
    }

    private void startNodes() throws Exception {
        generation++;
        for (int i = 1; i <= 3; i++) {
            nodes.add(NodeProcess.start("w" + generation + "n" + i, REDIS, prefix, ENV,
                    "--listen", "workspaces@127.0.0.1:" + NodeProcess.freePort(),
                    "--workspaces-capacity", Integer.toString(CAPACITY)));
        }
        for (NodeProcess node : nodes) node.awaitReady(Duration.ofSeconds(60));
    }

    private void stopNodes() throws Exception {
        for (NodeProcess node : nodes) node.close();
        nodes.clear();
    }

    @Test
    void ownerOnOneNodeAttendeesOnTheOthers() throws Exception {
        try (Client alice = new Client(nodes.get(0)); Client bob = new Client(nodes.get(1));
             Client carol = new Client(nodes.get(2)); Client dave = new Client(nodes.get(1))) {
            JsonNode created = alice.request("create", createPayload("Demo", "1234", "Alice"), "created");
            String ws = created.path("workspace").path("id").asText();
            String a = created.path("attendee").path("id").asText();
            String invite = created.path("workspace").path("token").asText();
            assertThat(ws).matches("_[0-9A-Za-z]{10}");

            // The workspace made on node 1 is known on node 2: a wrong PIN is refused, the right one admitted.
            assertThat(bob.request("attend", attendPayload(invite, "0000", "Bob"), "alert").asText()).isEqualTo(WRONG_PIN);
            JsonNode bobGrant = bob.request("attend", attendPayload(invite, "1234", "Bob"), "attendance-granted");
            String b = bobGrant.path("attendee").path("id").asText();
            assertThat(fieldNames(bobGrant.path("attendees"))).containsExactly(a, b);
            assertThat(bobGrant.path("workspace").path("owner").asText()).isEqualTo(a);
            assertThat(bobGrant.path("workspace").get("call").isNull()).isTrue();
            assertThat(bobGrant.path("nonce").asText()).isEqualTo("attend-workspace::Zz81abcdef");
            assertThat(alice.await("attend")).isEqualTo(bobGrant.path("attendee"));
            settle();

            JsonNode carolGrant = carol.request("attend", attendPayload(invite, "1234", "Carol"), "attendance-granted");
            String c = carolGrant.path("attendee").path("id").asText();
            assertThat(fieldNames(carolGrant.path("attendees"))).containsExactly(a, b, c);
            assertThat(alice.await("attend")).isEqualTo(carolGrant.path("attendee"));
            assertThat(bob.await("attend")).isEqualTo(carolGrant.path("attendee"));
            settle();

            // Three of three seats are taken, on three nodes: a fourth attendee is turned away.
            assertThat(dave.request("attend", attendPayload(invite, "1234", "Dave"), "full")).isEqualTo(JSON.createObjectNode());

            // mic-toggle and cam-toggle reach the others on their nodes, not the sender.
            carol.emit("mic-toggle", access(carolGrant, c).put("state", true));
            ObjectNode mic = object("{\"attendee\":{\"id\":\"" + c + "\"},\"state\":true}");
            assertThat(alice.await("mic-toggle")).isEqualTo(mic);
            assertThat(bob.await("mic-toggle")).isEqualTo(mic);
            bob.emit("cam-toggle", access(bobGrant, b).put("state", false));
            ObjectNode cam = object("{\"attendee\":{\"id\":\"" + b + "\"},\"state\":false}");
            assertThat(alice.await("cam-toggle")).isEqualTo(cam);
            assertThat(carol.await("cam-toggle")).isEqualTo(cam);

            // ring, answer and icecandidate go to one attendee's socket on another node.
            ObjectNode ring = access(created, a);
            ring.set("attendee", created.path("attendee"));
            ring.set("call", object("{\"id\":\"call-1\"}"));
            ring.set("callee", object("{\"id\":\"" + b + "\"}"));
            ring.set("offer", object("{\"type\":\"offer\",\"sdp\":\"v=0 offer\"}"));
            ring.put("nonce", "start-call:call-1:abc");
            alice.emit("ring", ring);
            JsonNode rang = bob.await("ring");
            assertThat(rang).isEqualTo(object("{\"workspace\":{\"id\":\"" + ws + "\"},\"caller\":"
                    + created.path("attendee") + ",\"offer\":{\"type\":\"offer\",\"sdp\":\"v=0 offer\"},"
                    + "\"call\":{\"id\":\"call-1\"},\"nonce\":\"start-call:call-1:abc\"}"));

            ObjectNode answer = access(bobGrant, b);
            answer.set("attendee", bobGrant.path("attendee"));
            answer.set("call", object("{\"id\":\"call-1\"}"));
            answer.set("caller", object("{\"id\":\"" + a + "\"}"));
            answer.set("answer", object("{\"type\":\"answer\",\"sdp\":\"v=0 answer\"}"));
            bob.emit("answer", answer);
            assertThat(alice.await("answer")).isEqualTo(object("{\"workspace\":{\"id\":\"" + ws + "\"},\"callee\":"
                    + bobGrant.path("attendee") + ",\"answer\":{\"type\":\"answer\",\"sdp\":\"v=0 answer\"},"
                    + "\"call\":{\"id\":\"call-1\"},\"nonce\":\"\"}"));

            ObjectNode candidate = object("{\"attendee\":{\"id\":\"" + a + "\"},\"broadcaster\":{\"id\":\"" + c
                    + "\"},\"workspace\":{\"id\":\"" + ws + "\"},\"candidate\":{\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 5000 typ host\","
                    + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}");
            carol.emit("icecandidate", candidate);
            JsonNode heard = alice.await("icecandidate");
            assertThat(heard.path("broadcaster").path("id").asText()).isEqualTo(c);
            assertThat(heard.path("attendee").path("id").asText()).isEqualTo(a);
            assertThat(heard.path("candidate")).isEqualTo(candidate.path("candidate"));
            assertThat(fieldNames(heard)).containsExactly("attendee", "broadcaster", "candidate");

            // The owner rules hold whoever asks from wherever.
            ObjectNode kickByBob = access(bobGrant, b);
            kickByBob.set("kickedAttendee", object("{\"id\":\"" + c + "\",\"name\":\"Carol\"}"));
            assertThat(bob.request("kick", kickByBob, "alert").asText()).isEqualTo("Anauthorized operation. Abort.");
            assertThat(alice.request("leave", access(created, a), "alert").asText())
                    .isEqualTo("Workspace owner cannot leave. Only shutdown is allowed.");

            // The owner on node 1 kicks carol on node 3: everyone hears it, carol included; her seat is free.
            ObjectNode kick = access(created, a);
            JsonNode kicked = object("{\"id\":\"" + c + "\",\"name\":\"Carol\"}");
            kick.set("kickedAttendee", kicked);
            alice.emit("kick", kick);
            assertThat(alice.await("kicked")).isEqualTo(kicked);
            assertThat(bob.await("kicked")).isEqualTo(kicked);
            assertThat(carol.await("kicked")).isEqualTo(kicked);
            settle();
            bob.emit("mic-toggle", access(bobGrant, b).put("state", true));
            assertThat(alice.await("mic-toggle").path("attendee").path("id").asText()).isEqualTo(b);
            carol.expectNo("mic-toggle", 300);

            JsonNode daveGrant = dave.request("attend", attendPayload(invite, "1234", "Dave"), "attendance-granted");
            assertThat(fieldNames(daveGrant.path("attendees")))
                    .containsExactly(a, b, daveGrant.path("attendee").path("id").asText());
            assertThat(attendeesInRedis(ws)).isEqualTo(CAPACITY);
        }
    }

    @Test
    void attendsFromTwoNodesRaceForTheLastSeat() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 3; round++) {
                try (Client owner = new Client(nodes.get(0)); Client first = new Client(nodes.get(0))) {
                    JsonNode created = owner.request("create", createPayload("Race", "", "Owner"), "created");
                    String ws = created.path("workspace").path("id").asText();
                    String invite = created.path("workspace").path("token").asText();
                    first.request("attend", attendPayload(invite, "", "First"), "attendance-granted");
                    settle();

                    // One seat left; three attendees on node 2 and three on node 3 ask for it at once.
                    List<Client> contenders = new ArrayList<>();
                    try {
                        for (int i = 0; i < 6; i++) contenders.add(new Client(nodes.get(1 + i % 2)));
                        CountDownLatch go = new CountDownLatch(1);
                        List<Future<String>> answers = new ArrayList<>();
                        for (int i = 0; i < contenders.size(); i++) {
                            Client contender = contenders.get(i);
                            String name = "C" + i;
                            answers.add(pool.submit(() -> {
                                go.await();
                                contender.emit("attend", attendPayload(invite, "", name));
                                return contender.awaitAny("attendance-granted", "full");
                            }));
                        }
                        go.countDown();
                        List<String> outcomes = new ArrayList<>();
                        for (Future<String> answer : answers) outcomes.add(answer.get());
                        assertThat(outcomes).filteredOn("attendance-granted"::equals).hasSize(1);
                        assertThat(outcomes).filteredOn("full"::equals).hasSize(5);
                        assertThat(attendeesInRedis(ws)).isEqualTo(CAPACITY);
                    } finally {
                        contenders.forEach(Client::close);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRestartOfEveryNodeKeepsTheWorkspaceAndItsTokens() throws Exception {
        JsonNode created;
        JsonNode bobGrant;
        try (Client alice = new Client(nodes.get(0)); Client bob = new Client(nodes.get(1))) {
            created = alice.request("create", createPayload("Kept", "4321", "Alice"), "created");
            bobGrant = bob.request("attend", attendPayload(created.path("workspace").path("token").asText(), "4321", "Bob"),
                    "attendance-granted");
        }
        String ws = created.path("workspace").path("id").asText();
        String a = created.path("attendee").path("id").asText();
        String b = bobGrant.path("attendee").path("id").asText();

        stopNodes();
        startNodes();

        // The clients come back as the library does after a reload: re-attend with what they stored.
        try (Client alice = new Client(nodes.get(1)); Client bob = new Client(nodes.get(2));
             Client eve = new Client(nodes.get(0))) {
            ObjectNode again = access(created, a);
            again.set("workspace", created.path("workspace"));
            again.set("attendee", created.path("attendee"));
            JsonNode regrant = alice.request("re-attend", again, "re-attendance-granted");
            assertThat(regrant.path("workspace")).isEqualTo(created.path("workspace"));
            assertThat(fieldNames(regrant.path("attendees"))).containsExactly(a, b);
            assertThat(regrant.get("call").isNull()).isTrue();
            settle();

            ObjectNode bobAgain = access(bobGrant, b);
            bobAgain.set("workspace", bobGrant.path("workspace"));
            bobAgain.set("attendee", bobGrant.path("attendee"));
            JsonNode bobRegrant = bob.request("re-attend", bobAgain, "re-attendance-granted");
            assertThat(bobRegrant.path("attendee").path("id").asText()).isEqualTo(b);
            assertThat(alice.await("attend").path("id").asText()).isEqualTo(b);
            settle();

            // The invitation made before the restart still admits, on a third node.
            JsonNode eveGrant = eve.request("attend",
                    attendPayload(created.path("workspace").path("token").asText(), "4321", "Eve"), "attendance-granted");
            String e = eveGrant.path("attendee").path("id").asText();
            assertThat(fieldNames(eveGrant.path("attendees"))).containsExactly(a, b, e);
            assertThat(alice.await("attend").path("id").asText()).isEqualTo(e);
            settle();

            // Directed messages reach the sockets the attendees have now.
            ObjectNode ring = access(created, a);
            ring.set("attendee", created.path("attendee"));
            ring.set("callee", object("{\"id\":\"" + b + "\"}"));
            ring.set("offer", object("{\"type\":\"offer\",\"sdp\":\"v=0\"}"));
            alice.emit("ring", ring);
            assertThat(bob.await("ring").path("caller").path("id").asText()).isEqualTo(a);

            // The owner's access token from before the restart still destroys the workspace.
            alice.emit("destroy", access(created, a));
            assertThat(bob.await("destroyed")).isEqualTo(JSON.createObjectNode());
            assertThat(eve.await("destroyed")).isEqualTo(JSON.createObjectNode());
            assertThat(alice.await("destroyed")).isEqualTo(JSON.createObjectNode());
        }
        assertThat(attendeesInRedis(ws)).isEqualTo(-1);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The payloads webRTCWorkspaces.js sends (SEEDS.md §2.4). */
    private static ObjectNode createPayload(String name, String pin, String owner) {
        return object("{\"workspace\":{\"name\":\"" + name + "\",\"pin\":\"" + pin + "\",\"avatar\":\"\"},"
                + "\"attendee\":{\"name\":\"" + owner + "\",\"avatar\":\"\"},\"nonce\":\"create-workspace::k3J9aQ2mZx\"}");
    }

    private static ObjectNode attendPayload(String invite, String pin, String name) {
        return object("{\"workspace\":{\"token\":\"" + invite + "\",\"pin\":\"" + pin + "\"},"
                + "\"attendee\":{\"name\":\"" + name + "\",\"avatar\":\"\"},\"nonce\":\"attend-workspace::Zz81abcdef\"}");
    }

    /** {workspace:{id}, attendee:{id}, accessToken} from a created or granted answer. */
    private static ObjectNode access(JsonNode grant, String attendeeId) {
        ObjectNode access = JSON.createObjectNode();
        access.putObject("workspace").put("id", grant.path("workspace").path("id").asText());
        access.putObject("attendee").put("id", attendeeId);
        access.put("accessToken", grant.path("accessToken").asText());
        return access;
    }

    private static ObjectNode object(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** How many attendees Redis holds for the workspace; -1 if it holds no such workspace. */
    private int attendeesInRedis(String workspaceId) throws Exception {
        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            String stored = connection.sync().get(prefix + "workspace:" + workspaceId);
            return stored == null ? -1 : JSON.readTree(stored).path("attendees").size();
        } finally {
            client.shutdown();
        }
    }

    /** See {@link ClusterNodesTest}: lets a room membership made on one node reach the others' replicas. */
    private static void settle() throws InterruptedException {
        Thread.sleep(200);
    }

    /**
     * A socket.io-client 2 (Engine.IO 3) over a bare WebSocket on the node's main port, where the
     * workspaces events are served too: events out as {@code 42[name, payload]}, events in are
     * queued, and the client's pings keep the session alive as the library's would.
     */
    private static final class Client implements AutoCloseable {
        private final WsClient socket;
        private long lastPing = System.nanoTime();

        Client(NodeProcess node) {
            socket = WsClient.connect(node.ws("/socket.io/?EIO=3&transport=websocket"));
            assertThat(socket.next()).startsWith("0{");
            assertThat(socket.next()).isEqualTo("40");
        }

        void emit(String event, JsonNode payload) {
            ArrayNode frame = JSON.createArrayNode().add(event).add(payload);
            socket.send("42" + frame);
        }

        JsonNode request(String event, JsonNode payload, String answer) {
            emit(event, payload);
            return await(answer);
        }

        /** The payload of the next {@code event}; other events before it are skipped. */
        JsonNode await(String event) {
            while (true) {
                JsonNode frame = nextEvent();
                if (frame.get(0).asText().equals(event)) return frame.get(1);
            }
        }

        /** The name of the first of {@code events} to arrive. */
        String awaitAny(String... events) {
            while (true) {
                String name = nextEvent().get(0).asText();
                if (List.of(events).contains(name)) return name;
            }
        }

        void expectNo(String event, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < deadline) {
                if (socket.pending() == 0) {
                    Thread.sleep(20);
                    continue;
                }
                JsonNode frame = nextEvent();
                assertThat(frame.get(0).asText()).as("unexpected %s", frame).isNotEqualTo(event);
            }
        }

        private JsonNode nextEvent() {
            while (true) {
                if (System.nanoTime() - lastPing > 10_000_000_000L) {
                    socket.send("2");
                    lastPing = System.nanoTime();
                }
                String frame = socket.next();
                if (!frame.startsWith("42")) continue; // pongs
                try {
                    return JSON.readTree(frame.substring(2));
                } catch (Exception e) {
                    throw new AssertionError(frame, e);
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
