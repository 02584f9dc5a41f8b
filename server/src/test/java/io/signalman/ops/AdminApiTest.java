package io.signalman.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.config.OpsOptions;
import io.signalman.testing.Json;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bearer-protected admin API: listings, kicks in every kind of dialect, and drains. */
@SuppressWarnings("unchecked")
class AdminApiTest {
    private static final String TOKEN = "operator-secret-0123";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<AutoCloseable> open = new ArrayList<>();
    private TestServer server;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private TestServer start(long drainTimeoutMs) {
        server = new TestServer(TestConfigs.builder().ops(new OpsOptions(TOKEN, drainTimeoutMs, 1500))
                .listen("broadcast@127.0.0.1:0").build());
        open.add(server);
        return server;
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http("main") + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) request.header("Authorization", "Bearer " + token);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private WsClient nativePeer(String room) {
        WsClient ws = WsClient.connect(server.ws("main") + "/v1/ws");
        open.add(ws);
        ws.next();
        ws.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        assertThat(Json.field(ws.next(), "type")).isEqualTo("joined");
        return ws;
    }

    @Test
    void everyRouteWantsTheBearerToken() throws Exception {
        start(5_000);
        assertThat(call("GET", "/admin/rooms", null).statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = call("GET", "/admin/peers", "operator-secret-0124");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"signalman-admin\"");
        assertThat(call("POST", "/admin/drain", "nope").statusCode()).isEqualTo(401);
        assertThat(server.server().isReady()).isTrue();
        assertThat(call("GET", "/admin/rooms", TOKEN).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/admin/rooms", TOKEN).statusCode()).isEqualTo(405);
        assertThat(call("GET", "/admin/nothing", TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void listsRoomsAndPeersPerDialectAndKicksAPeer() throws Exception {
        start(5_000);
        WsClient a = nativePeer("ops");
        WsClient b = nativePeer("ops");
        String aJoinedNotice = a.next();
        String bId = Json.field(aJoinedNotice, "peer");

        Map<?, ?> rooms = AdminApi.parse(call("GET", "/admin/rooms?dialect=native", TOKEN).body());
        assertThat(List.copyOf(rooms.keySet())).isEqualTo(List.of("native"));
        List<?> nativeRooms = (List<?>) rooms.get("native");
        assertThat(nativeRooms).hasSize(1);
        assertThat(((Map<?, ?>) nativeRooms.get(0)).get("room")).isEqualTo("ops");
        assertThat((List<Object>) ((Map<?, ?>) nativeRooms.get(0)).get("peers")).hasSize(2).contains(bId);
        Map<?, ?> peers = AdminApi.parse(call("GET", "/admin/peers", TOKEN).body());
        assertThat(new ArrayList<Object>(peers.keySet())).contains("native", "pair", "broadcast", "direct", "star", "workspaces", "peerjs");
        assertThat((List<?>) peers.get("native")).hasSize(2);

        assertThat(call("POST", "/admin/kick?dialect=native&peer=nobody", TOKEN).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/admin/kick?dialect=klingon&peer=" + bId, TOKEN).statusCode()).isEqualTo(400);
        assertThat(call("POST", "/admin/kick?dialect=native&peer=" + bId, TOKEN).statusCode()).isEqualTo(200);
        assertThat(a.next()).isEqualTo("{\"type\":\"peer-left\",\"room\":\"ops\",\"peer\":\"" + bId + "\",\"reason\":\"kicked\"}");
        String kicked = b.next();
        assertThat(Json.field(kicked, "code")).isEqualTo("kicked");
        assertThat(b.awaitClose()).isEqualTo(1008);
        assertThat((List<?>) AdminApi.parse(call("GET", "/admin/peers?dialect=native", TOKEN).body()).get("native")).hasSize(1);
    }

    @Test
    void aKickClosesADialectWithoutServerFrames() throws Exception {
        start(5_000);
        WsClient listener = WsClient.connect(server.ws("broadcast"));
        open.add(listener);
        WsClient other = WsClient.connect(server.ws("broadcast"));
        open.add(other);
        other.send("hello");
        assertThat(listener.next()).isEqualTo("hello");
        List<?> ids = (List<?>) AdminApi.parse(call("GET", "/admin/peers?dialect=broadcast", TOKEN).body()).get("broadcast");
        assertThat(ids).hasSize(2);
        for (Object id : ids) {
            assertThat(call("POST", "/admin/kick?dialect=broadcast&peer=" + id, TOKEN).statusCode()).isEqualTo(200);
        }
        assertThat(listener.awaitClose()).isEqualTo(1008);
        assertThat(other.awaitClose()).isEqualTo(1008);
    }

    @Test
    void aDrainTurnsReadinessOffSaysGoawayRefusesNewcomersAndEndsWhenPeersLeave() throws Exception {
        start(20_000);
        WsClient a = nativePeer("d");
        WsClient b = nativePeer("d");
        a.next(); // b joined

        assertThat(call("POST", "/admin/drain", TOKEN).statusCode()).isEqualTo(202);
        assertThat(a.next()).isEqualTo("{\"type\":\"goaway\",\"reason\":\"draining\",\"reconnectMs\":1500}");
        assertThat(b.next()).isEqualTo("{\"type\":\"goaway\",\"reason\":\"draining\",\"reconnectMs\":1500}");
        assertThat(call("GET", "/readyz", null).statusCode()).isEqualTo(503);
        assertThat(call("GET", "/healthz", null).statusCode()).isEqualTo(200);
        CompletableFuture<?> refused = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(server.ws("main") + "/v1/ws"), new java.net.http.WebSocket.Listener() {})
                .handle((ws, error) -> error);
        assertThat(refused.get(5, TimeUnit.SECONDS)).isNotNull();
        // Signals still flow between the peers that are leaving.
        b.send("{\"type\":\"broadcast\",\"room\":\"d\",\"data\":\"last words\"}");
        assertThat(Json.field(a.next(), "type")).isEqualTo("broadcast");

        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                server.server().awaitClose();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        a.close();
        assertThat(closed).isNotDone();
        b.close();
        closed.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aDrainEndsAtItsTimeoutWhenPeersStay() throws Exception {
        start(300);
        WsClient stayer = nativePeer("s");
        long started = System.nanoTime();
        server.server().drain();
        assertThat(Json.field(stayer.next(), "type")).isEqualTo("goaway");
        server.server().awaitClose();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(300);
        stayer.awaitClose();
    }
}
