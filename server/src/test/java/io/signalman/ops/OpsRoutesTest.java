package io.signalman.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.testing.Json;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Health, readiness, metrics and the info page on the main listener. */
class OpsRoutesTest {
    private static TestServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = TestServer.withDefaults();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.http("main") + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void livenessAndReadinessAnswer() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready\n");
    }

    @Test
    void infoPageNotFoundAndUpgradeRequired() throws Exception {
        HttpResponse<String> info = get("/info");
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(info.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(info.body()).contains("<h1>Signalman</h1>").contains("/v1/ws");
        assertThat(get("/nowhere").statusCode()).isEqualTo(404);
        assertThat(get("/v1/ws").statusCode()).isEqualTo(426);
    }

    @Test
    void metricsCountConnectionsFramesRelaysErrorsRoomsAndPeers() throws Exception {
        try (WsClient a = WsClient.connect(server.ws("main") + "/v1/ws");
                WsClient b = WsClient.connect(server.ws("main") + "/v1/ws")) {
            String peerA = Json.field(a.next(), "peer");
            b.next();
            a.send("{\"type\":\"join\",\"room\":\"m\"}").next();
            b.send("{\"type\":\"join\",\"room\":\"m\"}").next();
            b.send("{\"type\":\"signal\",\"to\":\"" + peerA + "\",\"data\":1}");
            a.next();
            a.next();
            b.send("nonsense").next();

            String metrics = get("/metrics").body();
            assertThat(metrics).contains("signalman_connections_open{dialect=\"native\"} 2.0");
            assertThat(metrics).contains("signalman_rooms{dialect=\"native\"} 1.0");
            assertThat(metrics).contains("signalman_peers{dialect=\"native\"} 2.0");
            assertThat(metrics).contains("signalman_errors_total{code=\"bad-json\",dialect=\"native\"} 1.0");
            assertThat(metrics).contains("signalman_relay_latency_seconds_count{dialect=\"native\"} 1");
            assertThat(metrics).containsPattern("signalman_frames_in_total\\{dialect=\"native\"} [1-9]");
            assertThat(metrics).containsPattern("signalman_frames_out_total\\{dialect=\"native\"} [1-9]");
            assertThat(metrics).contains("signalman_relay_latency_seconds_bucket{dialect=\"native\",le=\"5.0E-4\"}");
        }
    }
}
