package io.signalman.ice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Twilio's Network Traversal Service for a token ({@code POST /2010-04-01/Accounts/{sid}/Tokens.json})
 * and hands back its {@code ice_servers} exactly as Twilio wrote them (legacy {@code url} keys included).
 */
final class TwilioTokens {
    private static final Logger log = LoggerFactory.getLogger(TwilioTokens.class);

    private final String accountSid;
    private final String authorization;
    private final URI tokensUri;
    /** Made on first use: a client holds a selector thread, and most nodes never ask Twilio. */
    private HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    TwilioTokens(String accountSid, String authToken, String baseUrl) {
        this.accountSid = accountSid;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8));
        this.tokensUri = URI.create(baseUrl.replaceAll("/+$", "") + "/2010-04-01/Accounts/" + accountSid + "/Tokens.json");
    }

    private synchronized HttpClient http() {
        if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http;
    }

    /** A token: Twilio's {@code ice_servers} as written, and how many seconds they stay valid. */
    record Token(JsonNode servers, long ttlSeconds) {}

    /** Twilio's {@code ice_servers}, or null when the request fails or the answer has none. Never blocks. */
    CompletableFuture<JsonNode> fetch() {
        return fetchToken().thenApply(token -> token == null ? null : token.servers());
    }

    /** A token, or null when the request fails or the answer has no servers. Never blocks. */
    CompletableFuture<Token> fetchToken() {
        HttpRequest request = HttpRequest.newBuilder(tokensUri)
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        return http().sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, error) -> {
            if (error != null || response.statusCode() / 100 != 2) {
                log.warn("Twilio token request for account {} failed: {}", accountSid,
                        error != null ? error.toString() : "HTTP " + response.statusCode());
                return null;
            }
            try {
                JsonNode body = json.readTree(response.body());
                JsonNode servers = body.get("ice_servers");
                if (servers == null || !servers.isArray()) return null;
                // Twilio writes the TTL as a string ("86400"); its default when absent is a day.
                JsonNode ttl = body.get("ttl");
                long seconds = ttl == null ? 86_400 : ttl.asLong(86_400);
                return new Token(servers, seconds > 0 ? seconds : 86_400);
            } catch (IOException e) {
                log.warn("Twilio answered something that is not JSON: {}", e.toString());
                return null;
            }
        });
    }
}
