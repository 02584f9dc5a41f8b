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

    @Override
    public void close() {
        server.close();
    }
}
