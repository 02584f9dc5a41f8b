package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-connection abuse limits applied to Socket.IO (star dialect, Engine.IO 4 over websocket,
 * spoken by hand over loopback sockets): an event flood is cut to the rate, counted and disconnected
 * after the strikes; a reader that stops reading is evicted once its queue passes the outbound limit.
 */
class SocketIoLimitsTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestServer server;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private void start(AbuseLimits limits) {
        server = new TestServer(TestConfigs.builder().abuse(limits).listen("star@127.0.0.1:0").build());
        open.add(server);
    }

    /** A Socket.IO 4 client on a websocket: open packet read, default namespace joined. */
    private WsClient socketIo() {
        WsClient ws = WsClient.connect(server.ws("star") + "/socket.io/?EIO=4&transport=websocket");
        open.add(ws);
        assertThat(ws.next()).startsWith("0{");
        ws.send("40");
        assertThat(ws.next()).startsWith("40");
        return ws;
    }

    private static String handshake(String from, String to, String padding) {
        return "42[\"ss-handshake\",{\"srcMultiaddr\":\"" + from + "\",\"dstMultiaddr\":\"" + to
                + "\",\"signal\":\"" + padding + "\"}]";
    }

    @Test
    void anEventFloodIsCutToTheRateThenDisconnectedWhileOthersCarryOn() throws Exception {
        // A burst of 2 and almost no refill (one token per 10 s): however slowly the forty go out,
        // the strikes in a row are not reset by a token that came back meanwhile.
        start(new AbuseLimits(0.1, 2, 10, 100, 100, 1 << 20, 10_000, List.of()));
        WsClient target = socketIo();
        target.send("42[\"ss-join\",\"/target\"]");
        WsClient calm = socketIo();
        calm.send("42[\"ss-join\",\"/calm\"]");
        assertThat(target.next()).contains("ws-peer").contains("/calm"); // both joins went through
        WsClient flooder = socketIo();
        long started = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            try {
                flooder.send(handshake("/flooder", "/target", "n" + i));
            } catch (java.util.concurrent.CompletionException closedByServer) {
                break;
            }
        }
        long sendingMillis = (System.nanoTime() - started) / 1_000_000;
        // Given time: in the full build the JVM also carries the fuzzing agent's hooks, which slow it.
        // The server closes the flooder's connection right after its 41 while the rest of the flood
        // is still unread (a reset); the JDK's client then sometimes reports neither onClose nor
        // onError, so a connection that refuses a ping after a second counts as closed too.
        long waitStarted = System.nanoTime();
        long deadline = waitStarted + 20_000_000_000L;
        boolean closed = false;
        while (!closed && System.nanoTime() < deadline) {
            Thread.sleep(20);
            closed = flooder.isClosed() || (System.nanoTime() - waitStarted > 1_000_000_000L && !flooder.acceptsFrames());
        }
        List<String> heard = new java.util.ArrayList<>();
        while (flooder.pending() > 0) heard.add(flooder.next());
        assertThat(closed).as("the flooder is disconnected; it heard %s", heard).isTrue();
        int relayed = 0;
        while (true) {
            try {
                if (target.next().contains("ws-handshake")) relayed++;
            } catch (AssertionError none) {
                break;
            }
        }
        // The burst, plus what refilled while the frames were sent; never the forty.
        assertThat(relayed).isBetween(2, 3 + (int) (sendingMillis / 10_000));
        assertThat(relayed).isLessThan(40);
        assertThat(calm.isClosed()).isFalse();
        calm.send(handshake("/calm", "/target", "still here"));
        assertThat(target.next()).contains("still here");
        assertThat(metrics()).contains("signalman_limited_total{limit=\"rate\"}");
    }

    @Test
    void aReaderThatNeverReadsIsEvicted() throws Exception {
        start(new AbuseLimits(100_000, 100_000, 10, 100, 100, 65_536, 10_000, List.of()));
        Socket stuck = new Socket();
        open.add(stuck);
        stuck.setReceiveBufferSize(4096);
        stuck.connect(new InetSocketAddress("127.0.0.1", server.server().address("star").getPort()));
        stuck.setSoTimeout(3000);
        OutputStream out = stuck.getOutputStream();
        out.write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(stuck.getInputStream())).startsWith("HTTP/1.1 101");
        out.write(maskedText("40"));
        out.write(maskedText("42[\"ss-join\",\"/stuck\"]"));
        out.flush();
        WsClient talker = socketIo();
        talker.send("42[\"ss-join\",\"/talker\"]");
        String chunk = "x".repeat(30_000);
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> {
            talker.send(handshake("/talker", "/stuck", chunk));
            return metrics().contains("signalman_limited_total{limit=\"slow-reader\"}");
        });
        // Evicted means closed: after what was buffered, the stuck socket reads the end of the stream.
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> drainedToEnd(stuck.getInputStream()));
        // The talker is unharmed; once the stuck address is gone, its handshakes bounce back with an error.
        talker.send(handshake("/talker", "/stuck", "anyone?"));
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> talker.next().contains("peer is not available"));
    }

    @Test
    void aPollingClientThatStopsPollingIsDisconnected() throws Exception {
        start(new AbuseLimits(100_000, 100_000, 10, 100, 100, 65_536, 10_000, List.of()));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String base = server.http("star") + "/socket.io/?EIO=4&transport=polling";
        String open = poll(http, "GET", base, null).body();
        assertThat(open).startsWith("0{");
        String sid = open.replaceFirst("^0\\{\"sid\":\"([^\"]+)\".*$", "$1");
        String session = base + "&sid=" + sid;
        assertThat(poll(http, "POST", session, "40").body()).isEqualTo("ok");
        assertThat(poll(http, "GET", session, null).body()).startsWith("40");
        assertThat(poll(http, "POST", session, "42[\"ss-join\",\"/poller\"]").body()).isEqualTo("ok");
        WsClient talker = socketIo();
        talker.send("42[\"ss-join\",\"/talker\"]");
        // The node's outbound limit of 64 KiB allows 64 queued packets; this client never collects them.
        for (int i = 0; i < 100; i++) talker.send(handshake("/talker", "/poller", "n" + i));
        Awaitility.await().atMost(10, TimeUnit.SECONDS)
                .until(() -> metrics().contains("signalman_limited_total{limit=\"slow-reader\"}"));
        assertThat(poll(http, "GET", session, null).statusCode()).isEqualTo(500); // the session is gone
    }

    private static java.net.http.HttpResponse<String> poll(java.net.http.HttpClient http, String method, String uri,
            String body) throws Exception {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(uri))
                .timeout(java.time.Duration.ofSeconds(5));
        request.method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** A client-to-server text frame (masked with a zero key, which leaves the bytes as they are). */
    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) throw new IllegalArgumentException("short frames only");
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        return frame;
    }

    private static boolean drainedToEnd(InputStream in) {
        byte[] buffer = new byte[65_536];
        try {
            while (true) {
                if (in.read(buffer) < 0) return true;
            }
        } catch (java.io.IOException closedOrTimedOut) {
            return closedOrTimedOut instanceof java.net.SocketException;
        }
    }

    private String metrics() throws Exception {
        return server.metricsFromOwnAddress();
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            head.append((char) b);
            if (head.toString().endsWith("\r\n\r\n")) break;
        }
        return head.toString();
    }
}
