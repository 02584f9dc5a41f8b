package io.signalman.dialect.workspaces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalman.config.IceServer;
import io.signalman.ice.IceBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The answer to {@code iceservers}, chosen as the original chose it: Google's STUN servers (with the
 * legacy {@code url} key) in development; otherwise a Twilio Network Traversal Service token when
 * Twilio credentials are set; otherwise what the node's {@link IceBroker} grants (the configured ICE
 * servers, plus minted TURN credentials when {@code --turn-url} is set). A failed Twilio request
 * sends nothing, as before.
 */
final class IceServersSource {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> DEVELOPMENT_STUN = List.of("stun:stun.l.google.com:19302",
            "stun:stun1.l.google.com:19302", "stun:stun2.l.google.com:19302", "stun:stun3.l.google.com:19302",
            "stun:stun4.l.google.com:19302");

    private final boolean development;
    private final IceBroker broker;

    IceServersSource(boolean development, IceBroker broker) {
        this.development = development;
        this.broker = broker;
    }

    /**
     * The ICE server list for one client, or null when there is none to send. {@code user} names the
     * client in minted TURN usernames. Never blocks.
     */
    CompletableFuture<JsonNode> fetch(String user) {
        if (development) {
            ArrayNode list = NODES.arrayNode();
            DEVELOPMENT_STUN.forEach(url -> list.addObject().put("url", url));
            return CompletableFuture.completedFuture(list);
        }
        if (broker.hasTwilio()) return broker.twilioServers();
        ArrayNode list = NODES.arrayNode();
        for (IceServer server : broker.grant(user).servers()) {
            ObjectNode entry = list.addObject();
            server.urls().forEach(entry.putArray("urls")::add);
            if (server.username() != null) entry.put("username", server.username());
            if (server.credential() != null) entry.put("credential", server.credential());
        }
        return CompletableFuture.completedFuture(list);
    }
}
