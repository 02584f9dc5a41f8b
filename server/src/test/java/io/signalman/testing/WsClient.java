package io.signalman.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket test client on the JDK's HTTP client: collects every text message in order and
 * records how the connection closed.
 */
public final class WsClient implements AutoCloseable {
    private static final long WAIT_MS = 5_000;

    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;
    /** Held so that the client is not collected: an unreachable HttpClient closes its WebSockets. */
    @SuppressWarnings({"unused", "FieldCanBeLocal"})
    private final HttpClient http;

    private WsClient(HttpClient http, URI uri) {
        this.http = http;
        this.socket = http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, new Listener())
                .orTimeout(WAIT_MS, TimeUnit.MILLISECONDS)
                .join();
    }

    public static WsClient connect(String uri) {
        return new WsClient(HttpClient.newHttpClient(), URI.create(uri));
    }

    public static WsClient connect(String uri, SSLContext tls) {
        return new WsClient(HttpClient.newBuilder().sslContext(tls).build(), URI.create(uri));
    }

    public WsClient send(String text) {
        socket.sendText(text, true).orTimeout(WAIT_MS, TimeUnit.MILLISECONDS).join();
        return this;
    }

    public WsClient sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(WAIT_MS, TimeUnit.MILLISECONDS).join();
        return this;
    }

    /** The next message, waiting up to five seconds; fails the test if none arrives. */
    public String next() {
        try {
            String message = messages.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            if (message == null) throw new AssertionError("no message within " + WAIT_MS + " ms");
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Fails if a message arrives within {@code millis}. */
    public void expectSilence(long millis) {
        try {
            String message = messages.poll(millis, TimeUnit.MILLISECONDS);
            if (message != null) throw new AssertionError("unexpected message: " + message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Messages received and not yet taken. */
    public int pending() {
        return messages.size();
    }

    /** The close status the server sent, waiting up to five seconds. */
    public int awaitClose() {
        return closed.orTimeout(WAIT_MS, TimeUnit.MILLISECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /**
     * Whether the connection still takes a frame: sends a WebSocket ping and waits for it to be
     * written. A connection the server has closed fails the write even when the JDK's client has not
     * reported the close (seen when the server closed with unread frames, which resets the
     * connection: the listener heard the last message but neither onClose nor onError within 20 s).
     */
    public boolean acceptsFrames() {
        try {
            socket.sendPing(ByteBuffer.allocate(0)).orTimeout(WAIT_MS, TimeUnit.MILLISECONDS).join();
            return true;
        } catch (java.util.concurrent.CompletionException | IllegalStateException closed) {
            return false;
        }
    }

    /** Closes cleanly with 1000. */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // already closing
            }
        }
        socket.abort();
    }

    /** Drops the TCP connection without a close frame. */
    public void abort() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
