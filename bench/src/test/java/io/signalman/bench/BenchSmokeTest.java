package io.signalman.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.SignalmanServer;
import io.signalman.config.ListenerSpec;
import io.signalman.config.ServerConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keeps the load kit from rotting: every scenario runs for about a second with a handful of clients
 * against an in-process node, over the native protocol and the pair dialect (plain WebSocket), and
 * the throughput scenario over every other adapter, every scenario over workspaces (Socket.IO 2). Checks only that the kit ran and messages
 * arrived, never how fast.
 */
class BenchSmokeTest {
    private static SignalmanServer server;

    @BeforeAll
    static void start() {
        // workspaces listens on a port of its own and needs the original's token secret and salt.
        server = SignalmanServer.start(ServerConfig.defaults().withAbuse(io.signalman.transport.AbuseLimits.unlimited())
                .withListener(ListenerSpec.parse("workspaces@127.0.0.1:0", "127.0.0.1"),
                        Map.of("MAGICK_TOKEN", "bench-secret", "SALT_STRING", "bench-salt")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final String pid = Long.toString(ProcessHandle.current().pid());

    /** A path on the main listener, or {@code workspaces:PATH} on the workspaces listener. */
    private static URI url(String path) {
        String listener = path.startsWith("workspaces:") ? "workspaces" : "main";
        return URI.create("ws://127.0.0.1:" + server.address(listener).getPort() + path.substring(path.indexOf(':') + 1));
    }

    private static Map<String, Object> run(String scenario, String adapter, String path) throws Exception {
        // A path with a semicolon names two URLs (both on this node): clients alternate between them.
        return run(scenario, adapter, Arrays.stream(path.split(";")).map(BenchSmokeTest::url).toList());
    }

    private static Map<String, Object> run(String scenario, String adapter, List<URI> urls) throws Exception {
        return run(smoke(scenario, adapter, urls, "--server-pid", pid + "," + pid));
    }

    /** Small numbers, so that a run takes about a second; {@code more} adds or overrides options. */
    private static Options smoke(String scenario, String adapter, List<URI> urls, String... more) {
        List<String> args = new ArrayList<>(List.of(scenario, "--adapter", adapter,
                "--url", urls.stream().map(URI::toString).collect(Collectors.joining(",")),
                "--conns", "20", "--pairs", "2", "--window", "2", "--payload", "200", "--rate", "400",
                "--concurrency", "4", "--warmup", "0.3", "--seconds", "0.7", "--hold", "0", "--threads", "1",
                "--first-source", "2", "--sources", "4", "--label", "smoke"));
        args.addAll(List.of(more));
        return BenchMain.parse(args.toArray(String[]::new));
    }

    private static Map<String, Object> run(Options options) throws Exception {
        String scenario = options.scenario();
        List<URI> urls = options.urls();
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
        "conns, workspaces, workspaces:/socket.io/", "throughput, workspaces, workspaces:/socket.io/",
        "latency, workspaces, workspaces:/socket.io/", "churn, workspaces, workspaces:/socket.io/",
        "latency, native, /v1/ws;/v1/ws", "conns, native, /v1/ws;/v1/ws",
    })
    void scenarioDeliversMessages(String scenario, String adapter, String path) throws Exception {
        Map<String, Object> results = run(scenario, adapter, path);
        switch (scenario) {
            case "conns" -> {
                assertThat(number(results, "ready")).isEqualTo(20);
                assertThat(number(results, "failed")).isZero();
                assertThat(results).containsKeys("server_rss_per_conn_bytes", "server_cpu_us_per_connect");
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

    /**
     * With {@code --server-metrics} a latency run also reports the node's own share: the relays the
     * node counted in the window and, per bound of its histogram, the fraction that stayed within it.
     */
    @Test
    void latencyReportsTheNodesOwnShareFromItsMetrics() throws Exception {
        URI metrics = URI.create("http://127.0.0.1:" + server.address("main").getPort() + "/metrics");
        Map<String, Object> results = run(smoke("latency", "native", List.of(url("/v1/ws")), "--server-pid", pid,
                "--server-metrics", metrics.toString()));
        @SuppressWarnings("unchecked")
        Map<String, Object> share = (Map<String, Object>) results.get("server_relay_latency");
        assertThat(share).isNotNull();
        assertThat(number(share, "server_relays")).isPositive();
        double previous = 0;
        for (String bound : List.of("within_50us", "within_1000us", "within_50000us")) {
            double fraction = ((Number) share.get(bound)).doubleValue();
            assertThat(fraction).isBetween(previous, 1.0);
            previous = fraction;
        }
    }

    /**
     * Clients the server refuses, or that cannot connect at all, are counted as failed with the
     * first reason, and the run ends when every client has either become ready or failed, instead
     * of waiting out its deadline (60 s) for clients that will never be ready.
     */
    @Test
    @Timeout(30)
    void failedClientsAreCountedAndDoNotHoldTheRun() throws Exception {
        Map<String, Object> refused = run("conns", "native", List.of(url("/no-such-endpoint")));
        assertThat(number(refused, "ready")).isZero();
        assertThat(number(refused, "failed")).isEqualTo(20);
        assertThat((String) refused.get("first_failure")).contains("404");

        int closedPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        Map<String, Object> unreachable = run("conns", "native", List.of(URI.create("ws://127.0.0.1:" + closedPort + "/v1/ws")));
        assertThat(number(unreachable, "failed")).isEqualTo(20);
        assertThat((String) unreachable.get("first_failure")).startsWith("connect: ");
    }
}
