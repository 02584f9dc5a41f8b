package io.signalman.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A WebSocket that carries one JSON object per text message, on the JDK's own client. Sends are
 * serialized because the JDK allows one outstanding send at a time, and callers here are libwebrtc's
 * threads as well as the main one.
 */
final class JsonSocket {
    static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocket socket;

    private JsonSocket(WebSocket socket) {
        this.socket = socket;
    }

    /**
     * Opens {@code url}; {@code onMessage} gets each JSON object (other text is ignored) and
     * {@code onClose} runs once when the connection ends. Throws if the server cannot be reached in time.
     */
    static JsonSocket open(URI url, Duration timeout, Consumer<JsonNode> onMessage, Runnable onClose) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private boolean closed;

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    String message = text.toString();
                    text.setLength(0);
                    JsonNode node;
                    try {
                        node = JSON.readTree(message);
                    } catch (Exception e) {
                        node = null;
                    }
                    if (node != null && node.isObject()) onMessage.accept(node);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closeOnce();
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                closeOnce();
            }

            private synchronized void closeOnce() {
                if (closed) return;
                closed = true;
                onClose.run();
            }
        };
        WebSocket socket = client.newWebSocketBuilder().connectTimeout(timeout)
                .buildAsync(url, listener).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return new JsonSocket(socket);
    }

    synchronized void send(JsonNode message) {
        try {
            socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The server went away: signaling is only needed until the channel opens, and the peer
            // notices a failed negotiation by its own timeout.
        }
    }

    void close() {
        CompletableFuture<WebSocket> closing = socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").toCompletableFuture();
        try {
            closing.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            socket.abort();
        }
    }
}
