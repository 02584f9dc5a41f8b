package io.signalman.dialect.nativeproto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalman.testing.Json;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Protocol §10: every member hears joins in the one order the room saw them, whatever event loops
 * the joiners run on. Many rooms fill concurrently; each member's peer-joined sequence must match the
 * order in which later members list the room in their {@code joined} answer.
 */
class PresenceOrderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROOMS = 40;
    private static final int MEMBERS = 4;

    @Test
    void everyMemberHearsJoinsInTheRoomsOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<WsClient> clients = new ArrayList<>();
        try (TestServer server = TestServer.withDefaults()) {
            String url = server.ws("main") + "/v1/ws";
            List<List<WsClient>> rooms = new ArrayList<>();
            List<List<String>> ids = new ArrayList<>();
            for (int r = 0; r < ROOMS; r++) {
                List<WsClient> members = new ArrayList<>();
                List<String> memberIds = new ArrayList<>();
                for (int m = 0; m < MEMBERS; m++) {
                    WsClient client = WsClient.connect(url);
                    clients.add(client);
                    members.add(client);
                    memberIds.add(Json.field(client.next(), "peer"));
                }
                rooms.add(members);
                ids.add(memberIds);
            }
            List<Future<?>> joins = new ArrayList<>();
            for (int r = 0; r < ROOMS; r++) {
                for (WsClient client : rooms.get(r)) {
                    String room = "order-" + r;
                    joins.add(pool.submit(() -> client.send("{\"type\":\"join\",\"room\":\"" + room + "\"}")));
                }
            }
            for (Future<?> join : joins) join.get();

            for (int r = 0; r < ROOMS; r++) {
                // the room's order: each member's joined answer lists those before it
                List<String> order = null;
                List<List<String>> heard = new ArrayList<>();
                for (int m = 0; m < MEMBERS; m++) {
                    WsClient client = rooms.get(r).get(m);
                    List<String> events = new ArrayList<>();
                    List<String> before = null;
                    while (before == null || events.size() < MEMBERS - 1 - before.size()) {
                        JsonNode frame = JSON.readTree(client.next());
                        if (frame.path("type").asText().equals("joined")) {
                            before = new ArrayList<>();
                            for (JsonNode peer : frame.path("peers")) before.add(peer.path("peer").asText());
                        } else if (frame.path("type").asText().equals("peer-joined")) {
                            events.add(frame.path("peer").asText());
                        }
                    }
                    if (before.size() == MEMBERS - 1) {
                        order = new ArrayList<>(before);
                        order.add(ids.get(r).get(m));
                    }
                    List<String> sequence = new ArrayList<>(before);
                    sequence.add(ids.get(r).get(m));
                    sequence.addAll(events);
                    heard.add(sequence);
                }
                for (List<String> sequence : heard) assertThat(sequence).as("room %d", r).isEqualTo(order);
            }
        } finally {
            clients.forEach(WsClient::close);
            pool.shutdownNow();
        }
    }
}
