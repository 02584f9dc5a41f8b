package io.signalman.dialect.nativeproto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalman.transport.AbuseLimits;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Room isolation over real sockets: many native clients in many rooms take random, seeded steps
 * (join, leave, signal in a room, signal without one, broadcast), one at a time, each step finished
 * when its reply arrives. The server routes a relay before it acknowledges it, so the membership at
 * the step that sent a payload is exactly what the test recorded after the step before; every
 * payload any client ever receives is checked against that record.
 */
class NativeIsolationTest {
    private static final int CLIENTS = 16;
    private static final int ROOMS = 5;
    private static final int STEPS = 1_500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(TestConfigs.builder().abuse(AbuseLimits.unlimited()).roomCapacity(6)
                .resume(new io.signalman.config.ResumeOptions(0, 1)).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private record Client(WsClient ws, String id) {}

    /** Membership of every client after each step: {@code history.get(step)[client]}. */
    private final List<List<Set<String>>> history = new ArrayList<>();
    private int checked;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 1204, 99991})
    void noClientEverHearsFromOutsideItsRooms(long seed) throws Exception {
        Random random = new Random(seed);
        List<Client> clients = new ArrayList<>();
        List<Set<String>> rooms = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                WsClient ws = WsClient.connect(server.ws("main") + "/v1/ws");
                clients.add(new Client(ws, JSON.readTree(ws.next()).get("peer").asText()));
                rooms.add(new HashSet<>());
            }
            history.add(snapshot(rooms));
            for (int step = 1; step <= STEPS; step++) {
                int who = random.nextInt(CLIENTS);
                Client client = clients.get(who);
                String room = "room-" + random.nextInt(ROOMS);
                Client target = clients.get(random.nextInt(CLIENTS));
                String data = "{\"step\":" + step + ",\"from\":\"" + client.id + "\",\"room\":\"" + room + "\"}";
                int op = random.nextInt(100);
                String request;
                if (op < 30) {
                    request = "{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":" + step + "}";
                } else if (op < 45) {
                    request = "{\"type\":\"leave\",\"room\":\"" + room + "\",\"id\":" + step + "}";
                } else if (op < 70) {
                    request = "{\"type\":\"signal\",\"to\":\"" + target.id + "\",\"room\":\"" + room + "\",\"data\":"
                            + data + ",\"id\":" + step + "}";
                } else if (op < 85) {
                    request = "{\"type\":\"signal\",\"to\":\"" + target.id + "\",\"data\":" + data + ",\"id\":" + step + "}";
                } else {
                    request = "{\"type\":\"broadcast\",\"room\":\"" + room + "\",\"data\":" + data + ",\"id\":" + step + "}";
                }
                client.ws.send(request);
                JsonNode reply = awaitReply(client, who, clients, step);
                String type = reply.get("type").asText();
                if (type.equals("joined")) rooms.get(who).add(room);
                if (type.equals("left")) rooms.get(who).remove(room);
                history.add(snapshot(rooms));
                if (step % 100 == 0) drainAll(clients);
            }
            Thread.sleep(200);
            drainAll(clients);
            assertThat(checked).as("the walk must actually relay things").isGreaterThan(STEPS / 5);
        } finally {
            clients.forEach(c -> c.ws.close());
        }
    }

    private static List<Set<String>> snapshot(List<Set<String>> rooms) {
        List<Set<String>> copy = new ArrayList<>(rooms.size());
        for (Set<String> set : rooms) copy.add(Set.copyOf(set));
        return copy;
    }

    /** Reads {@code client}'s frames up to the reply to {@code step}, checking every relay on the way. */
    private JsonNode awaitReply(Client client, int index, List<Client> clients, int step) throws Exception {
        while (true) {
            JsonNode frame = JSON.readTree(client.ws.next());
            JsonNode re = frame.get("re");
            if (re != null && re.asInt() == step) return frame;
            inspect(frame, index, clients);
        }
    }

    private void drainAll(List<Client> clients) throws Exception {
        for (int i = 0; i < clients.size(); i++) {
            Client client = clients.get(i);
            while (client.ws.pending() > 0) inspect(JSON.readTree(client.ws.next()), i, clients);
        }
    }

    private void inspect(JsonNode frame, int receiver, List<Client> clients) {
        String type = frame.get("type").asText();
        if (!type.equals("signal") && !type.equals("broadcast")) return;
        JsonNode data = frame.get("data");
        int step = data.get("step").asInt();
        String sender = data.get("from").asText();
        if (!sender.equals(frame.get("from").asText())) fail("step " + step + ": 'from' rewritten: " + frame);
        int senderIndex = -1;
        for (int i = 0; i < clients.size(); i++) if (clients.get(i).id.equals(sender)) senderIndex = i;
        // Routed during `step`, so under the membership recorded after the step before it.
        List<Set<String>> at = history.get(step - 1);
        Set<String> mine = at.get(receiver);
        Set<String> theirs = at.get(senderIndex);
        JsonNode room = frame.get("room");
        if (room != null) {
            if (!room.asText().equals(data.get("room").asText())) fail("step " + step + ": room relabelled: " + frame);
            if (!mine.contains(room.asText()) || !theirs.contains(room.asText())) {
                fail("step " + step + ": " + frame + " reached a client in " + mine + " from one in " + theirs);
            }
        } else if (theirs.stream().noneMatch(mine::contains)) {
            fail("step " + step + ": " + frame + " reached a client in " + mine + " from one in " + theirs);
        }
        checked++;
    }
}
