package io.signalman.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.SignalmanServer;
import io.signalman.config.ServerConfig;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keeps the load kit from rotting: every scenario runs for about a second with a handful of clients
 * against an in-process node, over the native protocol and the pair dialect (plain WebSocket), and
 * the throughput scenario over every other adapter. Checks only that the kit ran and messages
 * arrived, never how fast.
 */
class BenchSmokeTest {
    private static SignalmanServer server;

    @BeforeAll
    static void start() {
        server = SignalmanServer.start(ServerConfig.defaults().withAbuse(io.signalman.config.AbuseLimits.unlimited()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final String pid = Long.toString(ProcessHandle.current().pid());

    private static URI url(String path) {
        return URI.create("ws://127.0.0.1:" + server.address("main").getPort() + path);
    }

    private static Map<String, Object> run(String scenario, String adapter, String path) throws Exception {
        // A path with a semicolon names two URLs (both on this node): clients alternate between them.
        List<URI> urls = Arrays.stream(path.split(";")).map(BenchSmokeTest::url).toList();
        Options options = new Options(scenario, adapter, urls, 20, 2, 2, 200, 400, 4, 0.3, 0.7, 0,
                pid + "," + pid, 1, 2, 4, "smoke");
        Map<String, Object> line = BenchMain.run(options, 1, false);
        if (urls.size() > 1) assertThat(line.get("url")).asList().hasSize(urls.size());
        assertThat(line).containsEntry("scenario", scenario).containsKey("loadavg_before");
        @SuppressWarnings("unchecked")
        Map<String, Object> results = (Map<String, Object>) line.get("results");
        // The line must print as JSON, as the command does.
        assertThat(Adapter.JSON.writeValueAsString(line)).startsWith("{");
        return results;
    }

    private static long number(Map<String, Object> results, String key) {
        return ((Number) results.get(key)).longValue();
    }

    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource({
        "conns, native, /v1/ws", "throughput, native, /v1/ws", "latency, native, /v1/ws", "churn, native, /v1/ws",
        "conns, pair, /pair", "throughput, pair, /pair", "latency, pair, /pair", "churn, pair, /pair",
        "throughput, direct, /direct", "throughput, broadcast, /broadcast",
        "throughput, peerjs, /peerjs/peerjs", "throughput, star, /socket.io/",
        "latency, native, /v1/ws;/v1/ws", "conns, native, /v1/ws;/v1/ws",
    })
    void scenarioDeliversMessages(String scenario, String adapter, String path) throws Exception {
        Map<String, Object> results;
        try {
            results = run(scenario, adapter, path);
        } catch (IllegalStateException notAllReady) {
            // Rarely (seen once in dozens of runs) one generator connection ends before it is ready
            // and the generator does not reconnect it; a second run must then succeed. Known gap of
            // the kit, noted in docs/PERFORMANCE.md.
            results = run(scenario, adapter, path);
        }
        switch (scenario) {
            case "conns" -> {
                assertThat(number(results, "ready")).isEqualTo(20);
                assertThat(results).containsKey("server_rss_per_conn_bytes");
            }
            case "throughput" -> assertThat(number(results, "delivered_total")).isPositive();
            case "latency" -> {
                assertThat(number(results, "delivered_total")).isPositive();
                assertThat(results).containsKeys("p50_us", "p99_us", "p999_us", "max_us");
            }
            case "churn" -> assertThat(number(results, "handshakes") + number(results, "completed_total")).isPositive();
            default -> throw new AssertionError(scenario);
        }
    }
}
