package io.signalman.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Our handlers in netty-socketio's pipeline, driven through embedded channels: events arrive over
 * every transport and Engine.IO version (what the fuzz tests rely on), and the guards against
 * netty-socketio's own weaknesses hold.
 */
class SocketIoPipelineTest {

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void eventsArriveOverEveryTransportAndVersion() {
        try (EngineIoHarness harness = new EngineIoHarness()) {
            try (EngineIoHarness.Session eio4 = harness.new Session(4, false, true)) {
                assertThat(eio4.post(ascii("42[\"message\",1]\u001e42[\"message\",2]"))).isEqualTo("HTTP/1.1 200 OK");
                assertThat(harness.events.get()).isEqualTo(2);
                eio4.upgrade();
                eio4.text("42[\"message\",3]");
                assertThat(harness.events.get()).isEqualTo(3);
            }
            try (EngineIoHarness.Session eio3 = harness.new Session(3, false, true)) {
                assertThat(eio3.post(ascii("15:42[\"message\",4]"))).isEqualTo("HTTP/1.1 200 OK");
                assertThat(harness.events.get()).isEqualTo(4);
                eio3.upgrade();
                eio3.text("42[\"message\",5]");
                assertThat(harness.events.get()).isEqualTo(5);
                assertThat(eio3.escaped).isNull();
            }
        }
    }

    @Test
    void anUnfinishedBinaryEventHoldsAtMostThePayloadCap() {
        try (EngineIoHarness harness = new EngineIoHarness(new SocketIoServer.Settings(25_000, 20_000, 10_000));
                EngineIoHarness.Session session = harness.new Session(4, false, true)) {
            session.upgrade();
            // Announces a thousand attachments; netty-socketio would keep every following frame.
            session.text("451000-[\"message\",{\"_placeholder\":true,\"num\":0}]");
            for (int i = 0; i < 10 && session.websocketOpen(); i++) {
                byte[] frame = new byte[4_000];
                java.util.Arrays.fill(frame, (byte) 7); // a leading 0 would be read as an Engine.IO 3 length
                session.binary(frame);
            }
            assertThat(session.websocketOpen()).isFalse();
            assertThat(session.head.isConnected()).isFalse();
            assertThat(session.head.getLastBinaryPacket()).isNull();
            assertThat(session.escaped).isNull();
        }
    }

    @Test
    void aBinaryEventWithinTheCapIsDelivered() {
        try (EngineIoHarness harness = new EngineIoHarness();
                EngineIoHarness.Session session = harness.new Session(4, false, true)) {
            session.upgrade();
            session.text("451-[\"message\",{\"_placeholder\":true,\"num\":0}]");
            session.binary(new byte[] {1, 2, 3});
            assertThat(harness.events.get()).isEqualTo(1);
            assertThat(session.websocketOpen()).isTrue();
        }
    }

    @Test
    void anExceptionInNettySocketiosTransportClosesTheConnectionInsteadOfReachingTheTail() {
        try (EngineIoHarness harness = new EngineIoHarness();
                EngineIoHarness.Session session = harness.new Session(3, false, true)) {
            // PollingTransport parses b64 with Integer.valueOf and lets the exception go.
            assertThat(session.call(HttpMethod.GET, "&b64=yes", null)).isNull();
            assertThat(session.escaped).isNull();
            assertThat(session.post(ascii("15:42[\"message\",1]"))).isEqualTo("HTTP/1.1 200 OK");
        }
    }
}
