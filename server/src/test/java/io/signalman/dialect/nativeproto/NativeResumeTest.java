package io.signalman.dialect.nativeproto;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.transport.AbuseLimits;
import io.signalman.config.ResumeOptions;
import io.signalman.testing.Json;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sessions that outlive their connection (docs/protocol.md §9), over real sockets. */
class NativeResumeTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private TestServer server(long windowMs, int maxHeld) {
        TestServer server = new TestServer(TestConfigs.builder().abuse(AbuseLimits.unlimited())
                .resume(new ResumeOptions(windowMs, maxHeld)).build());
        open.add(server);
        return server;
    }

    /** A client, its welcome already read. */
    private record Client(WsClient ws, String welcome) {
        String peer() {
            return Json.field(welcome, "peer");
        }

        String session() {
            return Json.field(welcome, "session");
        }
    }

    private Client connect(TestServer server, String query) {
        WsClient ws = WsClient.connect(server.ws("main") + "/v1/ws" + query);
        open.add(ws);
        String welcome = ws.next();
        assertThat(Json.field(welcome, "type")).isEqualTo("welcome");
        return new Client(ws, welcome);
    }

    private Client joined(TestServer server, String room) {
        Client client = connect(server, "");
        client.ws.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        assertThat(Json.field(client.ws.next(), "type")).isEqualTo("joined");
        return client;
    }

    /** Alice and bob in room {@code r}; alice has read bob's arrival. */
    private record Pair(Client alice, Client bob) {}

    private Pair pair(TestServer server) {
        Client alice = joined(server, "r");
        Client bob = joined(server, "r");
        assertThat(alice.ws.next()).contains("peer-joined");
        return new Pair(alice, bob);
    }

    private static String left(Client who, String reason) {
        return "{\"type\":\"peer-left\",\"room\":\"r\",\"peer\":\"" + who.peer() + "\",\"reason\":\"" + reason + "\"}";
    }

    private static String signal(String to, String data) {
        return "{\"type\":\"signal\",\"to\":\"" + to + "\",\"room\":\"r\",\"data\":" + data + "}";
    }

    @Test
    void aClientThatLosesItsConnectionComesBackAsTheSamePeerWithEverythingSentMeanwhileInOrder() {
        TestServer server = server(30_000, 256);
        Client alice = joined(server, "r");
        Client bob = joined(server, "r");
        assertThat(alice.ws.next()).contains("peer-joined");

        alice.ws.abort(); // no close frame: a loss, not a goodbye
        bob.ws.expectSilence(300);
        for (int i = 0; i < 20; i++) bob.ws.send(signal(alice.peer(), "{\"n\":" + i + "}"));
        bob.ws.send("{\"type\":\"broadcast\",\"room\":\"r\",\"data\":\"to all\",\"id\":\"b\"}");
        assertThat(bob.ws.next()).isEqualTo("{\"type\":\"ack\",\"re\":\"b\"}");
        Client carol = joined(server, "r");
        assertThat(bob.ws.next()).contains("peer-joined");

        Client again = connect(server, "?resume=" + alice.session());
        assertThat(again.welcome).startsWith("{\"type\":\"welcome\",\"peer\":\"" + alice.peer() + "\",\"session\":\""
                + alice.session() + "\",\"resumed\":true,\"rooms\":[\"r\"],");
        for (int i = 0; i < 20; i++) {
            assertThat(again.ws.next()).isEqualTo("{\"type\":\"signal\",\"from\":\"" + bob.peer()
                    + "\",\"room\":\"r\",\"data\":{\"n\":" + i + "}}");
        }
        assertThat(again.ws.next()).isEqualTo("{\"type\":\"broadcast\",\"room\":\"r\",\"from\":\"" + bob.peer()
                + "\",\"data\":\"to all\"}");
        assertThat(again.ws.next()).isEqualTo("{\"type\":\"peer-joined\",\"room\":\"r\",\"peer\":\"" + carol.peer()
                + "\",\"meta\":{}}");
        again.ws.expectSilence(200);

        bob.ws.send(signal(alice.peer(), "\"live\""));
        assertThat(Json.field(again.ws.next(), "data")).isEqualTo("live");
        again.ws.send(signal(bob.peer(), "\"back\""));
        assertThat(Json.field(bob.ws.next(), "data")).isEqualTo("back");
        assertThat(carol.ws.pending()).as("carol heard nothing of alice's absence").isZero();
    }

    @Test
    void whenTheWindowPassesTheRoomHearsTimeoutAndTheTokenNoLongerWorks() {
        TestServer server = server(300, 256);
        Pair pair = pair(server);
        Client alice = pair.alice();
        Client bob = pair.bob();

        alice.ws.abort();
        assertThat(bob.ws.next()).isEqualTo(left(alice, "timeout"));
        Client late = connect(server, "?resume=" + alice.session());
        assertThat(Json.field(late.welcome, "resumed")).isEqualTo("false");
        assertThat(late.peer()).isNotEqualTo(alice.peer());
        assertThat(late.welcome).doesNotContain("\"rooms\"");
    }

    @Test
    void aCleanCloseEndsTheSessionAtOnce() {
        TestServer server = server(30_000, 256);
        Pair pair = pair(server);
        Client alice = pair.alice();
        Client bob = pair.bob();

        alice.ws.close();
        assertThat(bob.ws.next()).isEqualTo(left(alice, "disconnected"));
        assertThat(Json.field(connect(server, "?resume=" + alice.session()).welcome, "resumed")).isEqualTo("false");
    }

    @Test
    void aResumeWhileTheOldConnectionLivesTakesItOver() {
        TestServer server = server(30_000, 256);
        Pair pair = pair(server);
        Client alice = pair.alice();
        Client bob = pair.bob();

        Client again = connect(server, "?resume=" + alice.session());
        assertThat(Json.field(again.welcome, "resumed")).isEqualTo("true");
        assertThat(Json.field(alice.ws.next(), "code")).isEqualTo("evicted");
        assertThat(alice.ws.awaitClose()).isEqualTo(1008);
        bob.ws.send(signal(alice.peer(), "1"));
        assertThat(Json.field(again.ws.next(), "data")).isEqualTo("1");
        bob.ws.expectSilence(300); // the old connection's end is not alice's
    }

    @Test
    void tooManyHeldMessagesEndTheSession() {
        TestServer server = server(30_000, 5);
        Pair pair = pair(server);
        Client alice = pair.alice();
        Client bob = pair.bob();

        alice.ws.abort();
        bob.ws.expectSilence(200);
        for (int i = 0; i < 6; i++) bob.ws.send(signal(alice.peer(), String.valueOf(i)));
        String left = null;
        for (int i = 0; i < 7 && left == null; i++) {
            String frame = bob.ws.next();
            if (frame.contains("peer-left")) left = frame;
        }
        assertThat(left).isEqualTo(left(alice, "timeout"));
        assertThat(Json.field(connect(server, "?resume=" + alice.session()).welcome, "resumed")).isEqualTo("false");
    }

    @Test
    void anUnknownTokenGivesAFreshSession() {
        TestServer server = server(30_000, 256);
        Client client = connect(server, "?resume=not-a-session");
        assertThat(Json.field(client.welcome, "resumed")).isEqualTo("false");
        assertThat(client.session()).isNotEqualTo("not-a-session");
    }

    @Test
    void withAZeroWindowEveryLossEndsTheSession() {
        TestServer server = server(0, 256);
        Pair pair = pair(server);
        Client alice = pair.alice();
        Client bob = pair.bob();
        alice.ws.abort();
        assertThat(bob.ws.next()).contains("\"reason\":\"disconnected\"");
        assertThat(Json.field(connect(server, "?resume=" + alice.session()).welcome, "resumed")).isEqualTo("false");
    }
}
