package io.signalman.dialect.nativeproto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalman.config.IceServer;
import io.signalman.ice.TurnOptions;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Minted TURN credentials over the native protocol: in welcome, in ice-servers, and pushed before they expire. */
class NativeIceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "native-ice-test-secret";
    private static final String TURN_URL = "turn:127.0.0.1:3478?transport=udp";
    /** Short, so that a push (due at 80% of it) arrives within the test client's five-second wait. */
    private static final long TTL_SECONDS = 3;

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(TestConfigs.builder()
                .iceServers(List.of(IceServer.parse("stun:stun.example.org:3478")))
                .turn(new TurnOptions(List.of(TURN_URL), List.of(SECRET, "retired-secret"), TTL_SECONDS))
                .build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void welcomeIceAndPushesCarryFreshCredentialsForThePeer() throws Exception {
        try (WsClient ws = WsClient.connect(server.ws("main") + "/v1/ws")) {
            long connected = System.currentTimeMillis();
            JsonNode welcome = JSON.readTree(ws.next());
            assertThat(welcome.get("type").asText()).isEqualTo("welcome");
            String peer = welcome.get("peer").asText();
            assertThat(welcome.get("ttl").asLong()).isEqualTo(TTL_SECONDS);
            long first = assertGrant(welcome.get("iceServers"), peer, connected);

            ws.send("{\"type\":\"ice\",\"id\":\"i1\"}");
            long asked = System.currentTimeMillis();
            JsonNode answer = JSON.readTree(ws.next());
            assertThat(answer.get("type").asText()).isEqualTo("ice-servers");
            assertThat(answer.get("re").asText()).isEqualTo("i1");
            assertThat(answer.get("ttl").asLong()).isEqualTo(TTL_SECONDS);
            long second = assertGrant(answer.get("iceServers"), peer, asked);
            assertThat(second).isGreaterThanOrEqualTo(first);

            // Nothing comes before 80% of the TTL, then pushes keep coming while the session lives.
            ws.expectSilence(1_500);
            long previous = second;
            for (int push = 0; push < 2; push++) {
                long before = System.currentTimeMillis();
                JsonNode pushed = JSON.readTree(ws.next());
                assertThat(pushed.get("type").asText()).isEqualTo("ice-servers");
                assertThat(pushed.has("re")).isFalse();
                assertThat(pushed.get("ttl").asLong()).isEqualTo(TTL_SECONDS);
                long expiry = assertGrant(pushed.get("iceServers"), peer, before);
                // Each push replaces credentials before they expire.
                assertThat(System.currentTimeMillis() / 1000).isLessThanOrEqualTo(previous);
                assertThat(expiry).isGreaterThanOrEqualTo(previous);
                previous = expiry;
            }
        }
    }

    /**
     * Checks the static entry and the minted one, minted between {@code notBeforeMillis} and now; returns
     * the minted credential's expiry (Unix seconds).
     */
    private static long assertGrant(JsonNode servers, String peer, long notBeforeMillis) throws Exception {
        long nowMillis = System.currentTimeMillis();
        assertThat(servers).hasSize(2);
        assertThat(servers.get(0)).isEqualTo(JSON.readTree("{\"urls\":[\"stun:stun.example.org:3478\"]}"));
        JsonNode turn = servers.get(1);
        assertThat(turn.get("urls")).isEqualTo(JSON.readTree("[\"" + TURN_URL + "\"]"));
        String username = turn.get("username").asText();
        assertThat(username).endsWith(":" + peer);
        long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
        assertThat(expiry).isBetween(notBeforeMillis / 1000 + TTL_SECONDS, nowMillis / 1000 + 1 + TTL_SECONDS);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        assertThat(turn.get("credential").asText()).isEqualTo(expected);
        return expiry;
    }
}
