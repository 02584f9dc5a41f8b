package io.signalman.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signalman's native protocol (docs/protocol.md): the server assigns the id in {@code welcome}; the
 * peer joins a room and signals room members with {@code signal}. The payloads are seed 004's.
 */
final class NativeSignaling implements Signaling {

    /** The server answered, but not with a session this peer can use (room full, bad request...). */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final JsonSocket socket;
    private final String localId;
    private final String room;
    private final List<IceServerSpec> iceServers;
    private final AtomicLong ids = new AtomicLong();

    private NativeSignaling(JsonSocket socket, String localId, String room, List<IceServerSpec> iceServers) {
        this.socket = socket;
        this.localId = localId;
        this.room = room;
        this.iceServers = iceServers;
    }

    /** Connects, waits for {@code welcome}, joins {@code room} and waits for {@code joined}. */
    static NativeSignaling connect(URI url, String room, Duration timeout, Listener listener) throws Exception {
        CompletableFuture<JsonNode> welcome = new CompletableFuture<>();
        CompletableFuture<JsonNode> joined = new CompletableFuture<>();
        JsonSocket socket = JsonSocket.open(url, timeout, message -> {
            switch (message.path("type").asText()) {
                case "welcome" -> welcome.complete(message);
                case "joined" -> joined.complete(message);
                case "signal" -> listener.onSignal(message.path("from").asText(), message.path("data"));
                case "peer-joined" -> listener.onNotice("Peer " + message.path("peer").asText() + " joined room " + message.path("room").asText());
                case "peer-left" -> listener.onNotice("Peer " + message.path("peer").asText() + " left room " + message.path("room").asText());
                case "error" -> {
                    if (!joined.isDone() && "join".equals(message.path("re").asText())) {
                        joined.completeExceptionally(new Refused(message.path("code").asText() + ": " + message.path("message").asText()));
                    } else if ("peer-unavailable".equals(message.path("code").asText())) {
                        listener.onPeerUnavailable(null, message.path("message").asText());
                    }
                }
                default -> {
                    // acks, pongs and frames of later protocol versions need nothing from this peer
                }
            }
        }, () -> {
            welcome.completeExceptionally(new Refused("the server closed the connection"));
            joined.completeExceptionally(new Refused("the server closed the connection"));
            listener.onClosed();
        });
        JsonNode hello = welcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        socket.send(JsonSocket.JSON.createObjectNode().put("type", "join").put("id", "join").put("room", room));
        JsonNode answer = joined.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<IceServerSpec> servers = new ArrayList<>();
        for (JsonNode server : hello.path("iceServers")) {
            for (JsonNode u : server.path("urls")) {
                servers.add(new IceServerSpec(u.asText(), server.path("username").textValue(), server.path("credential").textValue()));
            }
        }
        List<String> others = new ArrayList<>();
        for (JsonNode peer : answer.path("peers")) others.add(peer.path("peer").asText());
        listener.onNotice("Joined room " + room + (others.isEmpty() ? "; no one else is in it yet" : "; peers in it: " + String.join(", ", others)));
        return new NativeSignaling(socket, hello.path("peer").asText(), room, List.copyOf(servers));
    }

    @Override
    public String localId() {
        return localId;
    }

    @Override
    public List<IceServerSpec> iceServers() {
        return iceServers;
    }

    @Override
    public void send(String to, ObjectNode payload) {
        ObjectNode frame = JsonSocket.JSON.createObjectNode().put("type", "signal").put("id", ids.incrementAndGet())
                .put("to", to).put("room", room);
        frame.set("data", payload);
        socket.send(frame);
    }

    @Override
    public void close() {
        socket.close();
    }
}
