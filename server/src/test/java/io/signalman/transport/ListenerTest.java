package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.signalman.testing.Json;
import io.signalman.testing.SelfSignedCertificate;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listeners over real sockets: extra dialect listeners, TLS from PEM files, heartbeats and idle timeouts. */
class ListenerTest {

    @TempDir
    Path dir;

    @Test
    void anExtraListenerServesItsDialectAtEveryPath() {
        try (TestServer server = new TestServer(TestConfigs.builder().listen("native@127.0.0.1:0").build());
                WsClient root = WsClient.connect(server.ws("native") + "/");
                WsClient anyPath = WsClient.connect(server.ws("native") + "/some/path?x=1")) {
            assertThat(Json.field(root.next(), "type")).isEqualTo("welcome");
            assertThat(Json.field(anyPath.next(), "type")).isEqualTo("welcome");
        }
    }

    @Test
    void acceptedSocketsSendSmallFramesWithoutDelay() {
        // A signalling frame is small; with Nagle's algorithm on it could wait for the client's ACK.
        // The listener no longer asks for TCP_NODELAY itself (Netty's socket configurations set it,
        // and asking again cost a system call per connection): this guards the default it relies on.
        try (TestServer server = new TestServer(TestConfigs.builder().listen("native@127.0.0.1:0").build());
                WsClient main = WsClient.connect(server.ws("main") + "/v1/ws");
                WsClient extra = WsClient.connect(server.ws("native") + "/")) {
            main.next();
            extra.next();
            for (Listener listener : server.server().listeners()) {
                List<Channel> open = List.copyOf(listener.connections());
                assertThat(open).as(listener.name()).hasSize(1);
                assertThat(open).allSatisfy(channel ->
                        assertThat(channel.config().getOption(ChannelOption.TCP_NODELAY)).as(listener.name()).isTrue());
            }
        }
    }

    @Test
    void mainAndExtraListenersServeTlsFromPemFiles() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate(dir);
        String spec = "native@127.0.0.1:0?cert=" + certificate.cert() + "&key=" + certificate.key();
        try (TestServer server = new TestServer(TestConfigs.builder().tls(certificate.files()).listen(spec).build())) {
            String main = "wss://127.0.0.1:" + server.server().address("main").getPort() + "/v1/ws";
            String extra = "wss://127.0.0.1:" + server.server().address("native").getPort() + "/";
            try (WsClient a = WsClient.connect(main, certificate.clientContext());
                    WsClient b = WsClient.connect(extra, certificate.clientContext())) {
                String peerA = Json.field(a.next(), "peer");
                b.next();
                a.send("{\"type\":\"join\",\"room\":\"tls\"}");
                a.next();
                b.send("{\"type\":\"join\",\"room\":\"tls\"}");
                b.next();
                b.send("{\"type\":\"signal\",\"to\":\"" + peerA + "\",\"data\":{\"sdp\":\"v=0\"}}");
                assertThat(a.next()).contains("peer-joined");
                assertThat(a.next()).endsWith("\"data\":{\"sdp\":\"v=0\"}}");
            }
            HttpClient https = HttpClient.newBuilder().sslContext(certificate.clientContext()).build();
            HttpResponse<String> health = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.server().address("main").getPort() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void quietConnectionsArePingedAndKeptWhileTheyAnswer() throws Exception {
        try (TestServer server = new TestServer(TestConfigs.builder().heartbeatMs(100).idleTimeoutMs(400).build());
                WsClient client = WsClient.connect(server.ws("main") + "/v1/ws")) {
            client.next();
            Thread.sleep(1200); // three idle timeouts: the JDK client answers each ping with a pong
            assertThat(client.isClosed()).isFalse();
            client.send("{\"type\":\"ping\"}");
            assertThat(client.next()).isEqualTo("{\"type\":\"pong\"}");
        }
    }

    @Test
    void aClientThatOnlyReceivesIsPingedAndKept() throws Exception {
        try (TestServer server = new TestServer(TestConfigs.builder().heartbeatMs(100).idleTimeoutMs(400).build());
                WsClient talker = WsClient.connect(server.ws("main") + "/v1/ws");
                WsClient listener = WsClient.connect(server.ws("main") + "/v1/ws")) {
            talker.next();
            String listenerId = Json.field(listener.next(), "peer");
            talker.send("{\"type\":\"join\",\"room\":\"busy\"}").next();
            listener.send("{\"type\":\"join\",\"room\":\"busy\"}").next();
            talker.next();
            for (int i = 0; i < 24; i++) { // the server writes to the listener all the time; it never sends a frame
                talker.send("{\"type\":\"signal\",\"to\":\"" + listenerId + "\",\"data\":" + i + "}");
                assertThat(listener.next()).endsWith("\"data\":" + i + "}");
                Thread.sleep(50);
            }
            assertThat(listener.isClosed()).isFalse();
        }
    }

    @Test
    void aSilentClientIsPingedThenClosedAfterTheIdleTimeout() throws Exception {
        try (TestServer server = new TestServer(TestConfigs.builder().heartbeatMs(100).idleTimeoutMs(500).build());
                Socket socket = new Socket("127.0.0.1", server.server().address("main").getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            byte[] all = in.readAllBytes(); // never answers pings: the server must end the connection
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 101");
            assertThat(all).contains((byte) 0x89); // a ping frame
            assertThat(text).contains("idle timeout");
            assertThat(elapsedMs).isLessThan(4000);
        }
    }
}
