package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.testing.Json;
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

/** Each abuse limit, demonstrated: flood, per-IP caps, origins, slowloris, and a reader that never reads. */
class LimitsTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestServer server;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private static AbuseLimits limits(double perSecond, int burst, int strikes, int perIp, double newPerSecond,
            long outbound, long handshakeMs, List<String> origins) {
        return new AbuseLimits(perSecond, burst, strikes, perIp, newPerSecond, outbound, handshakeMs, origins);
    }

    private TestServer start(AbuseLimits limits) {
        server = new TestServer(TestConfigs.builder().abuse(limits).listen("broadcast@127.0.0.1:0").build());
        open.add(server);
        return server;
    }

    private WsClient nativeClient() {
        WsClient ws = WsClient.connect(server.ws("main") + "/v1/ws");
        open.add(ws);
        assertThat(Json.field(ws.next(), "type")).isEqualTo("welcome");
        return ws;
    }

    private String metrics() throws Exception {
        return server.metricsFromOwnAddress();
    }

    @Test
    void aFloodBeyondTheBurstGetsOneRateLimitedErrorPerFrame() throws Exception {
        // Strikes out of reach: the connection stays open, so every answer arrives and can be counted.
        start(limits(5, 5, 1_000, 100, 100, 1 << 20, 10_000, List.of()));
        WsClient flooder = nativeClient();
        long began = System.nanoTime();
        for (int i = 0; i < 40; i++) flooder.send("{\"type\":\"ping\",\"id\":" + i + "}");
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) answers.add(flooder.next());
        double seconds = (System.nanoTime() - began) / 1e9;
        long pongs = answers.stream().filter(a -> a.startsWith("{\"type\":\"pong\"")).count();
        long limited = answers.stream().filter(a -> "rate-limited".equals(Json.field(a, "code"))).count();
        // The burst of five, plus what five tokens a second refill while the frames arrive.
        assertThat(pongs).isBetween(5L, 5L + (long) Math.ceil(5 * seconds));
        assertThat(limited).isEqualTo(40 - pongs);
        assertThat(flooder.isClosed()).isFalse();
        assertThat(metrics()).contains("signalman_limited_total{limit=\"rate\"}");
    }

    @Test
    void aConnectionThatKeepsFloodingIsClosedWhileOthersCarryOn() throws Exception {
        start(limits(5, 5, 20, 100, 100, 1 << 20, 10_000, List.of()));
        WsClient flooder = nativeClient();
        WsClient calm = nativeClient();
        for (int i = 0; i < 40; i++) {
            try {
                flooder.send("{\"type\":\"ping\",\"id\":" + i + "}");
            } catch (java.util.concurrent.CompletionException closedByServer) {
                break;
            }
        }
        // 1008, or a reset (-1) when the server's close meets frames the flooder is still sending; a reset
        // also discards answers the flooder had not read yet, so they are counted in the test above instead.
        assertThat(flooder.awaitClose()).isIn(1008, -1);
        assertThat(calm.isClosed()).as("calm closed: %d", calm.isClosed() ? calm.awaitClose() : 0).isFalse();
        calm.send("{\"type\":\"ping\",\"id\":1}");
        assertThat(calm.next()).isEqualTo("{\"type\":\"pong\",\"re\":1}");
        assertThat(metrics()).contains("signalman_limited_total{limit=\"rate\"}");
    }

    @Test
    void oneAddressMayHoldOnlySoManyConnections() throws Exception {
        start(limits(100, 100, 10, 3, 1000, 1 << 20, 10_000, List.of()));
        for (int i = 0; i < 3; i++) nativeClient();
        Socket fourth = new Socket();
        open.add(fourth);
        fourth.connect(new InetSocketAddress("127.0.0.1", server.server().address("main").getPort()), 2000);
        fourth.setSoTimeout(3000);
        assertThat(fourth.getInputStream().read()).isEqualTo(-1); // closed at once, before any HTTP
        // Another loopback address is another client.
        Socket elsewhere = new Socket();
        open.add(elsewhere);
        elsewhere.bind(new InetSocketAddress("127.0.0.2", 0));
        elsewhere.connect(new InetSocketAddress("127.0.0.1", server.server().address("main").getPort()), 2000);
        assertThat(httpGet(elsewhere, "/healthz")).startsWith("HTTP/1.1 200");
        assertThat(metrics()).contains("signalman_limited_total{limit=\"per-ip\"}");
    }

    @Test
    void oneAddressMayOpenOnlySoManyConnectionsPerSecond() throws Exception {
        start(limits(100, 100, 10, 1000, 3, 1 << 20, 10_000, List.of()));
        int refused = 0;
        for (int i = 0; i < 8; i++) {
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress("127.0.0.3", 0));
                socket.connect(new InetSocketAddress("127.0.0.1", server.server().address("main").getPort()), 2000);
                socket.setSoTimeout(3000);
                if (!httpGet(socket, "/healthz").startsWith("HTTP/1.1 200")) refused++;
            }
        }
        assertThat(refused).isGreaterThanOrEqualTo(4);
        Socket later = new Socket();
        open.add(later);
        Thread.sleep(1100);
        later.bind(new InetSocketAddress("127.0.0.3", 0));
        later.connect(new InetSocketAddress("127.0.0.1", server.server().address("main").getPort()), 2000);
        assertThat(httpGet(later, "/healthz")).startsWith("HTTP/1.1 200");
        assertThat(metrics()).contains("signalman_limited_total{limit=\"ip-rate\"}");
    }

    @Test
    void browsersFromOriginsOutsideTheAllowListAreRefused() throws Exception {
        start(limits(100, 100, 10, 100, 100, 1 << 20, 10_000, List.of("https://app.example")));
        try (Socket socket = new Socket("127.0.0.1", server.server().address("main").getPort())) {
            socket.setSoTimeout(3000);
            assertThat(upgrade(socket, "/v1/ws", "https://evil.example")).startsWith("HTTP/1.1 403");
        }
        try (Socket socket = new Socket("127.0.0.1", server.server().address("main").getPort())) {
            socket.setSoTimeout(3000);
            assertThat(upgrade(socket, "/v1/ws", "https://app.example")).startsWith("HTTP/1.1 101");
        }
        try (Socket socket = new Socket("127.0.0.1", server.server().address("broadcast").getPort())) {
            socket.setSoTimeout(3000);
            assertThat(upgrade(socket, "/", "https://evil.example")).startsWith("HTTP/1.1 403");
        }
        assertThat(metrics()).contains("signalman_limited_total{limit=\"origin\"}");
    }

    @Test
    void aSlowlorisIsCutOffAtTheHandshakeTimeout() throws Exception {
        start(limits(100, 100, 10, 100, 100, 1 << 20, 500, List.of()));
        try (Socket socket = new Socket("127.0.0.1", server.server().address("main").getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            long started = System.nanoTime();
            out.write("GET /healthz HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            boolean cut = false;
            for (int i = 0; i < 40 && !cut; i++) {
                Thread.sleep(100);
                try {
                    out.write("X-Slow: a\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (java.io.IOException reset) {
                    cut = true;
                }
            }
            if (!cut) assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(4000);
        }
        assertThat(metrics()).contains("signalman_limited_total{limit=\"handshake-timeout\"}");
    }

    @Test
    void aReaderThatNeverReadsIsEvictedAndMemoryStaysBounded() throws Exception {
        start(limits(100_000, 100_000, 10, 100, 100, 65_536, 10_000, List.of()));
        Socket stuck = new Socket();
        open.add(stuck);
        stuck.setReceiveBufferSize(4096);
        stuck.connect(new InetSocketAddress("127.0.0.1", server.server().address("broadcast").getPort()));
        stuck.setSoTimeout(3000);
        assertThat(upgrade(stuck, "/", null)).startsWith("HTTP/1.1 101");
        WsClient talker = WsClient.connect(server.ws("broadcast"));
        open.add(talker);
        String chunk = "x".repeat(30_000);
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> {
            talker.send(chunk);
            return metrics().contains("signalman_limited_total{limit=\"slow-reader\"}");
        });
        // The talker is unharmed.
        WsClient witness = WsClient.connect(server.ws("broadcast"));
        open.add(witness);
        talker.send("still here");
        assertThat(witness.next()).isEqualTo("still here");
    }

    private static String httpGet(Socket socket, String path) throws Exception {
        socket.setSoTimeout(3000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return readHead(socket.getInputStream());
    }

    private static String upgrade(Socket socket, String path, String origin) throws Exception {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return readHead(socket.getInputStream());
    }

    /** The response head, or "" when the server closed without answering. */
    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        try {
            int b;
            while ((b = in.read()) != -1) {
                head.append((char) b);
                if (head.toString().endsWith("\r\n\r\n")) break;
            }
        } catch (java.net.SocketException reset) {
            // refused connections may be reset
        }
        return head.toString();
    }
}
