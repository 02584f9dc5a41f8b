package io.signalman.dialect.workspaces;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.signalman.config.IceServer;
import io.signalman.ice.IceBroker;
import io.signalman.ice.TurnOptions;
import io.signalman.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IceServersSourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SID = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String AUTH_TOKEN = "twilio-auth-token";
    private static final List<IceServer> CONFIGURED = List.of(
            IceServer.parse("stun:stun.example.org:3478"),
            IceServer.parse("turn:turn.example.org:3478 username=u credential=p"));

    /**
     * The body of Twilio's "Create a Token" (Network Traversal Service) response as its API reference
     * documents it; the clients get its {@code ice_servers}.
     */
    private static final String TWILIO_TOKEN = """
            {"account_sid":"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","date_created":"Fri, 04 Dec 2026 10:00:00 +0000",\
            "date_updated":"Fri, 04 Dec 2026 10:00:00 +0000","ice_servers":[\
            {"url":"stun:global.stun.twilio.com:3478?transport=udp","urls":"stun:global.stun.twilio.com:3478?transport=udp"},\
            {"url":"turn:global.turn.twilio.com:3478?transport=udp","username":"d8f3e0c1user","urls":"turn:global.turn.twilio.com:3478?transport=udp","credential":"w6Dcred"},\
            {"url":"turn:global.turn.twilio.com:3478?transport=tcp","username":"d8f3e0c1user","urls":"turn:global.turn.twilio.com:3478?transport=tcp","credential":"w6Dcred"},\
            {"url":"turn:global.turn.twilio.com:443?transport=tcp","username":"d8f3e0c1user","urls":"turn:global.turn.twilio.com:443?transport=tcp","credential":"w6Dcred"}],\
            "password":"w6Dcred","ttl":"86400","username":"d8f3e0c1user"}""";

    private HttpServer twilio;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (twilio != null) twilio.stop(0);
    }

    /** A stand-in for api.twilio.com on 127.0.0.1 that answers every request with {@code status} and {@code body}. */
    private String twilioStandIn(int status, String body) throws Exception {
        twilio = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        twilio.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        twilio.start();
        return "http://127.0.0.1:" + twilio.getAddress().getPort() + "/";
    }

    /** A source over the broker a node with these settings builds (Twilio from the original's variables). */
    private static IceServersSource source(boolean development, String sid, String token, String twilioBase,
            List<IceServer> configured) {
        TestConfigs.Builder config = TestConfigs.builder().iceServers(configured).twilioBaseUrl(twilioBase);
        if (sid != null) config.originalEnv("TWILIO_ACCOUNT_SID", sid);
        if (token != null) config.originalEnv("TWILIO_AUTH_TOKEN", token);
        return new IceServersSource(development, IceBroker.from(config.build()));
    }

    private static JsonNode fetch(IceServersSource source) throws Exception {
        return source.fetch("socket-1").get(15, TimeUnit.SECONDS);
    }

    @Test
    void developmentGivesGooglesStunListWithTheLegacyUrlKey() throws Exception {
        // Even with Twilio credentials and configured servers: DEVELOPMENT=true wins, as in the original.
        JsonNode list = fetch(source(true, SID, AUTH_TOKEN, "http://127.0.0.1:9/", CONFIGURED));
        assertThat(list).isEqualTo(JSON.readTree("""
                [{"url":"stun:stun.l.google.com:19302"},{"url":"stun:stun1.l.google.com:19302"},\
                {"url":"stun:stun2.l.google.com:19302"},{"url":"stun:stun3.l.google.com:19302"},\
                {"url":"stun:stun4.l.google.com:19302"}]"""));
    }

    @Test
    void twilioCredentialsGetANetworkTraversalToken() throws Exception {
        String base = twilioStandIn(201, TWILIO_TOKEN);
        JsonNode list = fetch(source(false, SID, AUTH_TOKEN, base, CONFIGURED));
        assertThat(list).isEqualTo(JSON.readTree(TWILIO_TOKEN).get("ice_servers"));
        String basic = "Basic " + Base64.getEncoder().encodeToString((SID + ":" + AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
        assertThat(requests).containsExactly("POST /2010-04-01/Accounts/" + SID + "/Tokens.json " + basic);
    }

    @Test
    void aFailingTwilioSendsNothing() throws Exception {
        String base = twilioStandIn(401, "{\"code\":20003,\"message\":\"Authenticate\",\"status\":401}");
        assertThat(fetch(source(false, SID, AUTH_TOKEN, base, CONFIGURED))).isNull();
        stop();
        String notJson = twilioStandIn(200, "<html>maintenance</html>");
        assertThat(fetch(source(false, SID, AUTH_TOKEN, notJson, CONFIGURED))).isNull();
        stop();
        String noServers = twilioStandIn(201, "{\"ttl\":\"86400\"}");
        assertThat(fetch(source(false, SID, AUTH_TOKEN, noServers, CONFIGURED))).isNull();
        stop();
        twilio = null;
        // nothing listens there any more
        assertThat(fetch(source(false, SID, AUTH_TOKEN, noServers, CONFIGURED))).isNull();
    }

    @Test
    void otherwiseTheConfiguredServers() throws Exception {
        assertThat(fetch(source(false, null, null, "http://127.0.0.1:9/", CONFIGURED))).isEqualTo(JSON.readTree("""
                [{"urls":["stun:stun.example.org:3478"]},\
                {"urls":["turn:turn.example.org:3478"],"username":"u","credential":"p"}]"""));
        // one Twilio variable alone is not a Twilio account
        assertThat(fetch(source(false, SID, null, "http://127.0.0.1:9/", List.of())))
                .isEqualTo(JSON.createArrayNode());
    }

    @Test
    void mintedTurnCredentialsFollowTheConfiguredServers() throws Exception {
        TurnOptions turn = new TurnOptions(List.of("turn:turn.example.org:3478"), List.of("coturn-secret"), 600);
        IceBroker broker = IceBroker.from(TestConfigs.builder().iceServers(CONFIGURED.subList(0, 1)).turn(turn).build());
        long before = System.currentTimeMillis() / 1000;
        JsonNode list = new IceServersSource(false, broker).fetch("socket-7").get(15, TimeUnit.SECONDS);
        assertThat(list).hasSize(2);
        assertThat(list.get(0)).isEqualTo(JSON.readTree("{\"urls\":[\"stun:stun.example.org:3478\"]}"));
        assertThat(list.get(1).get("urls")).isEqualTo(JSON.readTree("[\"turn:turn.example.org:3478\"]"));
        String username = list.get(1).get("username").asText();
        assertThat(username).endsWith(":socket-7");
        assertThat(Long.parseLong(username.substring(0, username.indexOf(':')))).isBetween(before + 600, before + 602);
        assertThat(list.get(1).get("credential").asText()).isNotBlank();
    }
}
