package io.signalman.dialect.workspaces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalman.config.IceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to {@code iceservers}, chosen as the original chose it: Google's STUN servers (with the
 * legacy {@code url} key) in development; otherwise a Twilio Network Traversal Service token when
 * Twilio credentials are set; otherwise the node's configured ICE servers. A failed Twilio request
 * sends nothing, as before.
 */
final class IceServersSource {
    private static final Logger log = LoggerFactory.getLogger(IceServersSource.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> DEVELOPMENT_STUN = List.of("stun:stun.l.google.com:19302",
            "stun:stun1.l.google.com:19302", "stun:stun2.l.google.com:19302", "stun:stun3.l.google.com:19302",
            "stun:stun4.l.google.com:19302");

    private final boolean development;
    private final String twilioSid;
    private final String twilioToken;
    private final String twilioBaseUrl;
    private final List<IceServer> configured;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    IceServersSource(boolean development, String twilioSid, String twilioToken, String twilioBaseUrl,
            List<IceServer> configured) {
        this.development = development;
        this.twilioSid = twilioSid;
        this.twilioToken = twilioToken;
        this.twilioBaseUrl = twilioBaseUrl.replaceAll("/+$", "");
        this.configured = configured;
    }

    /** The ICE server list for one client, or null when there is none to send. Never blocks. */
    CompletableFuture<JsonNode> fetch() {
        if (development) {
            ArrayNode list = NODES.arrayNode();
            DEVELOPMENT_STUN.forEach(url -> list.addObject().put("url", url));
            return CompletableFuture.completedFuture(list);
        }
        if (twilioSid != null && twilioToken != null) return twilio();
        ArrayNode list = NODES.arrayNode();
        for (IceServer server : configured) {
            ObjectNode entry = list.addObject();
            server.urls().forEach(entry.putArray("urls")::add);
            if (server.username() != null) entry.put("username", server.username());
            if (server.credential() != null) entry.put("credential", server.credential());
        }
        return CompletableFuture.completedFuture(list);
    }

    /** POST /2010-04-01/Accounts/{sid}/Tokens.json; the response's {@code ice_servers} is what clients get. */
    private CompletableFuture<JsonNode> twilio() {
        String credentials = Base64.getEncoder().encodeToString(
                (twilioSid + ":" + twilioToken).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(twilioBaseUrl + "/2010-04-01/Accounts/" + twilioSid + "/Tokens.json"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + credentials)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, error) -> {
            if (error != null || response.statusCode() / 100 != 2) {
                log.warn("Twilio token request failed: {}", error != null ? error.toString() : "HTTP " + response.statusCode());
                return null;
            }
            try {
                JsonNode servers = json.readTree(response.body()).get("ice_servers");
                return servers != null && servers.isArray() ? servers : null;
            } catch (java.io.IOException e) {
                log.warn("Twilio answered something that is not JSON: {}", e.toString());
                return null;
            }
        });
    }
}
