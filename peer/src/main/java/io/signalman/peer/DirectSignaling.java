package io.signalman.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Seed 004's protocol (the {@code direct} dialect): connect to {@code ws://ADDR:PORT/<localId>}; every
 * frame names its addressee in {@code id}, and the server replaces it with the sender's id.
 */
final class DirectSignaling implements Signaling {
    private final String localId;
    private final JsonSocket socket;

    private DirectSignaling(String localId, JsonSocket socket) {
        this.localId = localId;
        this.socket = socket;
    }

    static DirectSignaling connect(URI base, String localId, Duration timeout, Listener listener) throws Exception {
        String text = base.toString();
        URI url = URI.create((text.endsWith("/") ? text : text + "/") + localId);
        JsonSocket socket = JsonSocket.open(url, timeout, message -> {
            JsonNode from = message.get("id");
            if (from == null || !from.isTextual()) return;
            ObjectNode payload = message.deepCopy();
            payload.remove("id");
            listener.onSignal(from.asText(), payload);
        }, listener::onClosed);
        return new DirectSignaling(localId, socket);
    }

    @Override
    public String localId() {
        return localId;
    }

    @Override
    public List<IceServerSpec> iceServers() {
        return List.of();
    }

    @Override
    public void send(String to, ObjectNode payload) {
        // `id` first, as the original peer writes its frames.
        ObjectNode frame = JsonSocket.JSON.createObjectNode().put("id", to);
        frame.setAll(payload);
        socket.send(frame);
    }

    @Override
    public void close() {
        socket.close();
    }
}
