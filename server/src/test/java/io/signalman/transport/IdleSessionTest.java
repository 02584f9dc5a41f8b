package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import org.junit.jupiter.api.Test;

/**
 * The main listener also serves Socket.IO, whose library closes connections that send it nothing
 * within five seconds; our own WebSocket sessions on that port must not be caught by that rule.
 */
class IdleSessionTest {
    @Test
    void aQuietNativeSessionOnASocketIoListenerOutlivesTheFirstDataTimer() throws Exception {
        try (TestServer server = TestServer.withDefaults()) {
            WsClient quiet = WsClient.connect(server.ws("main") + "/v1/ws");
            quiet.next();
            Thread.sleep(6_500);
            assertThat(quiet.isClosed()).as("closed with %d", quiet.isClosed() ? quiet.awaitClose() : 0).isFalse();
            quiet.send("{\"type\":\"ping\",\"id\":1}");
            assertThat(quiet.next()).isEqualTo("{\"type\":\"pong\",\"re\":1}");
            quiet.close();
        }
    }
}
