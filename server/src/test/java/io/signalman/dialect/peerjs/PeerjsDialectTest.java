package io.signalman.dialect.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.config.PeerjsOptions;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dialect over real sockets: registration, relays, the pending queue and the alive timeout. */
class PeerjsDialectTest {
    private static final String OPEN = "{\"type\":\"OPEN\"}";
    private static TestServer server;
    private static int unique;

    @BeforeAll
    static void start() {
        PeerjsOptions options = new PeerjsOptions("/", "peerjs", false, 1_000, 800, 100, 8, 1 << 20, List.of());
        server = new TestServer(TestConfigs.builder().listen("peerjs@127.0.0.1:0").peerjs(options).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String id(String label) {
        return label + (++unique);
    }

    private static WsClient socket(String id, String token) {
        return WsClient.connect(server.ws("peerjs") + "/peerjs?key=peerjs&id=" + id + "&token=" + token);
    }

    private static WsClient client(String id) {
        WsClient client = socket(id, "t-" + id);
        assertThat(client.next()).isEqualTo(OPEN);
        return client;
    }

    @Test
    void relaysWithTheSendersIdAsSrc() {
        String a = id("a");
        String b = id("b");
        try (WsClient ca = client(a); WsClient cb = client(b)) {
            ca.send("{\"type\":\"OFFER\",\"src\":\"x\",\"dst\":\"" + b + "\",\"payload\":{\"sdp\":\"v=0\"}}");
            assertThat(cb.next()).isEqualTo("{\"type\":\"OFFER\",\"src\":\"" + a + "\",\"dst\":\"" + b + "\",\"payload\":{\"sdp\":\"v=0\"}}");
            cb.send("{\"type\":\"HEARTBEAT\"}");
            ca.expectSilence(150);
        }
    }

    @Test
    void aNewTokenIsRefusedAndTheSameTokenTakesTheIdOver() {
        String a = id("a");
        String b = id("b");
        try (WsClient holder = socket(a, "t1"); WsClient cb = client(b)) {
            assertThat(holder.next()).isEqualTo(OPEN);
            try (WsClient intruder = socket(a, "t2")) {
                assertThat(intruder.next()).isEqualTo("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");
                assertThat(intruder.awaitClose()).isEqualTo(1005);
            }
            try (WsClient successor = socket(a, "t1")) {
                successor.expectSilence(200);
                cb.send("{\"type\":\"ANSWER\",\"dst\":\"" + a + "\"}");
                assertThat(successor.next()).isEqualTo("{\"type\":\"ANSWER\",\"src\":\"" + b + "\",\"dst\":\"" + a + "\"}");
                holder.expectSilence(100);
                assertThat(holder.isClosed()).isFalse();
            }
        }
    }

    @Test
    void messagesWaitForAnIdThenExpire() {
        String a = id("a");
        String late = id("late");
        String ghost = id("ghost");
        try (WsClient ca = client(a)) {
            ca.send("{\"type\":\"OFFER\",\"dst\":\"" + late + "\"}");
            ca.send("{\"type\":\"CANDIDATE\",\"dst\":\"" + ghost + "\"}");
            try (WsClient cl = client(late)) {
                assertThat(cl.next()).isEqualTo("{\"type\":\"OFFER\",\"src\":\"" + a + "\",\"dst\":\"" + late + "\"}");
            }
            assertThat(ca.next()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"" + ghost + "\",\"dst\":\"" + a + "\"}");
        }
    }

    @Test
    void aClientWithoutHeartbeatsIsClosedAfterTheAliveTimeout() {
        String a = id("a");
        try (WsClient quiet = client(a)) {
            long start = System.nanoTime();
            assertThat(quiet.awaitClose()).isEqualTo(1005);
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(900);
        }
        try (WsClient again = socket(a, "other")) {
            assertThat(again.next()).isEqualTo(OPEN);
        }
    }

    @Test
    void refusesMissingParametersAndWrongKeys() {
        try (WsClient missing = WsClient.connect(server.ws("peerjs") + "/peerjs?key=peerjs&id=x")) {
            assertThat(missing.next()).contains("No id, token, or key supplied to websocket server");
            assertThat(missing.awaitClose()).isEqualTo(1005);
        }
        try (WsClient wrong = WsClient.connect(server.ws("peerjs") + "/peerjs?key=nope&id=x&token=t")) {
            assertThat(wrong.next()).isEqualTo("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Invalid key provided\"}}");
        }
    }
}
