package io.signalman.ice;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.signalman.testing.Json;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Twilio tokens for the native protocol, which greets at once and so cannot wait for Twilio per
 * client: the node keeps one token fresh and lists its servers, with the TTL the token has left.
 */
class TwilioForNativeTest {
    private static final String TOKEN = """
            {"account_sid":"AC0123","ice_servers":[\
            {"url":"stun:global.stun.twilio.com:3478","urls":"stun:global.stun.twilio.com:3478"},\
            {"url":"turn:global.turn.twilio.com:3478?transport=udp","username":"tw-user","urls":"turn:global.turn.twilio.com:3478?transport=udp","credential":"tw-cred"}],\
            "ttl":"%d","username":"tw-user","password":"tw-cred"}""";

    private HttpServer twilio;
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stop() {
        if (twilio != null) twilio.stop(0);
    }

    /**
     * A stand-in for api.twilio.com that answers tokens of {@code ttl} seconds; with {@code failFirst},
     * the first request gets 503.
     */
    private String standIn(long ttl, boolean failFirst) throws Exception {
        twilio = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        twilio.createContext("/", exchange -> {
            boolean first = requests.getAndIncrement() == 0 && failFirst;
            byte[] body = (first ? "{}" : TOKEN.formatted(ttl)).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(first ? 503 : 201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        twilio.start();
        return "http://127.0.0.1:" + twilio.getAddress().getPort();
    }

    @Test
    void aBrokerKeepsATokenFreshAndGrantsItsServersWithTheTimeLeft() throws Exception {
        String base = standIn(3_600, true);
        var timers = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            IceBroker broker = IceBroker.of(List.of(), TurnOptions.off(), java.time.Clock.systemUTC())
                    .withTwilio("AC0123", "secret", base);
            assertThat(broker.grant("p").servers()).as("nothing before the first token").isEmpty();
            broker.keepTwilioFresh(timers);
            // The first request fails; the broker must not give up (it retries after 30 s): ask again now.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (requests.get() < 1 && System.nanoTime() < deadline) Thread.sleep(10);
            broker.keepTwilioFresh(timers);
            IceGrant grant = broker.grant("p");
            while (grant.servers().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
                grant = broker.grant("p");
            }
            assertThat(grant.servers()).hasSize(2);
            assertThat(grant.servers().get(1).urls()).containsExactly("turn:global.turn.twilio.com:3478?transport=udp");
            assertThat(grant.servers().get(1).username()).isEqualTo("tw-user");
            assertThat(grant.servers().get(1).credential()).isEqualTo("tw-cred");
            assertThat(grant.ttlSeconds()).isBetween(3_590L, 3_600L);
        } finally {
            timers.shutdownNow();
        }
    }

    @Test
    void nativeClientsGetTheTwilioServersInTheirWelcome() throws Exception {
        String base = standIn(86_400, false);
        try (TestServer server = new TestServer(TestConfigs.builder().twilioBaseUrl(base)
                .originalEnv("TWILIO_ACCOUNT_SID", "AC0123").originalEnv("TWILIO_AUTH_TOKEN", "secret").build())) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            String welcome;
            do {
                try (WsClient client = WsClient.connect(server.ws("main") + "/v1/ws")) {
                    welcome = client.next();
                }
            } while (!welcome.contains("twilio") && System.nanoTime() < deadline);
            assertThat(welcome).contains("{\"urls\":[\"turn:global.turn.twilio.com:3478?transport=udp\"],"
                    + "\"username\":\"tw-user\",\"credential\":\"tw-cred\"}");
            assertThat(Long.parseLong(Json.field(welcome, "ttl"))).isBetween(86_390L, 86_400L);
            assertThat(requests.get()).as("one token for every client, not one each").isEqualTo(1);
        }
    }
}
