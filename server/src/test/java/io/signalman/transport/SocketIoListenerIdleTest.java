package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.testing.Json;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import org.junit.jupiter.api.Test;

/**
 * A listener that also serves Socket.IO must not close plain WebSocket connections that stay quiet:
 * netty-socketio arms a "first data" timer (5 s) on every new channel and only its own handler
 * disarms it, so a native client that connected and then said nothing used to be dropped.
 */
class SocketIoListenerIdleTest {

    /** Longer than netty-socketio's default first-data timeout (5000 ms). */
    private static final long QUIET_MS = 6_500;

    @Test
    void aQuietNativeConnectionOnTheMainListenerStaysOpen() {
        try (TestServer server = new TestServer(TestConfigs.builder().build());
                WsClient quiet = WsClient.connect(server.ws("main") + "/v1/ws")) {
            assertThat(Json.field(quiet.next(), "type")).isEqualTo("welcome");
            quiet.expectSilence(QUIET_MS);
            assertThat(quiet.isClosed()).isFalse();
            quiet.send("{\"type\":\"ping\",\"id\":1}");
            assertThat(quiet.next()).isEqualTo("{\"type\":\"pong\",\"re\":1}");
        }
    }
}
