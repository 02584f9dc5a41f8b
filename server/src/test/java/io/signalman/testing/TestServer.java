package io.signalman.testing;

import io.signalman.SignalmanServer;
import io.signalman.config.ServerConfig;

/** Starts a node on 127.0.0.1 with ephemeral ports for one test class. */
public final class TestServer implements AutoCloseable {
    private final SignalmanServer server;

    public TestServer(ServerConfig config) {
        this.server = SignalmanServer.start(config);
    }

    public static TestServer withDefaults() {
        return new TestServer(ServerConfig.defaults());
    }

    public SignalmanServer server() {
        return server;
    }

    /** {@code ws://127.0.0.1:PORT} of a listener ("main" or a dialect name). */
    public String ws(String listener) {
        return "ws://127.0.0.1:" + server.address(listener).getPort();
    }

    public String http(String listener) {
        return "http://127.0.0.1:" + server.address(listener).getPort();
    }

    /**
     * The metrics page, fetched from 127.0.0.9 so that the per-address limits a test provokes from
     * 127.0.0.1 do not refuse it.
     */
    public String metricsFromOwnAddress() throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.bind(new java.net.InetSocketAddress("127.0.0.9", 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.address("main").getPort()), 2000);
            socket.setSoTimeout(3000);
            socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
