package io.signalman.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One Signalman node in a JVM of its own ({@code io.signalman.Main} on this test's class path), so
 * that a test can kill it with SIGKILL as an operator's machine would lose it. Its output goes to
 * a file under {@code target/cluster-nodes/}.
 */
final class NodeProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int port;
    private final Process process;
    private final Path log;

    private NodeProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts a node on 127.0.0.1 at a free port with the given cluster flags; does not wait for it. */
    static NodeProcess start(String name, String redisUri, String prefix, String... extra) throws IOException {
        return start(name, redisUri, prefix, Map.of(), extra);
    }

    /** As {@link #start(String, String, String, String...)}, with variables added to the node's environment. */
    static NodeProcess start(String name, String redisUri, String prefix, Map<String, String> env, String... extra)
            throws IOException {
        int port = freePort();
        Path dir = Path.of("target", "cluster-nodes").toAbsolutePath();
        Files.createDirectories(dir);
        Path log = dir.resolve(prefix.replaceAll("[^A-Za-z0-9]", "_") + name + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "io.signalman.Main",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--worker-threads", "1",
                "--ice-server", "none", "--log-level", "info",
                // The ordering test sends thousands of signals as fast as it can.
                "--rate-messages-per-second", "1000000", "--rate-burst", "1000000",
                "--cluster", redisUri, "--cluster-prefix", prefix, "--cluster-node-id", name,
                "--cluster-heartbeat-ms", "200", "--cluster-node-timeout-ms", "1000"));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // The node must not read a developer's .env or SIGNALMAN_* variables.
        builder.directory(dir.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("SIGNALMAN_"));
        builder.environment().putAll(env);
        return new NodeProcess(name, port, builder.start(), log);
    }

    /** Waits until {@code /readyz} answers 200. */
    NodeProcess awaitReady(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError(name + " exited: " + output());
            if (readyStatus() == 200) return this;
            Thread.sleep(50);
        }
        throw new AssertionError(name + " not ready within " + limit + ": " + output());
    }

    /** The status of {@code GET /readyz}, or -1 if the node does not answer. */
    int readyStatus() {
        return get("/readyz").statusCode();
    }

    HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new Failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failed(e);
        }
    }

    /** {@code POST path} with a bearer token; -1 if the node does not answer. */
    int post(String path, String bearer) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + bearer).POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Whether the node's process has ended (waiting up to {@code limit}). */
    boolean awaitExit(Duration limit) throws InterruptedException {
        return process.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    String ws(String path) {
        return "ws://127.0.0.1:" + port + path;
    }

    /** SIGKILL: no shutdown hook runs, the node leaves nothing behind but its expiring heartbeat. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) kill();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** A response for a request that got none. */
    private record Failed(Exception cause) implements HttpResponse<String> {
        public int statusCode() { return -1; }
        public HttpRequest request() { return null; }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true); }
        public String body() { return cause.toString(); }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public URI uri() { return null; }
        public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}
