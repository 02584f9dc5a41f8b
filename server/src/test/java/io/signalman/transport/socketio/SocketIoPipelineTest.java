package io.signalman.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCountUtil;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
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

    /** What the server wrote on a connection so far (read and released). */
    private static String written(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        Object out;
        while ((out = channel.readOutbound()) != null) {
            if (out instanceof ByteBuf buf) text.append(buf.toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(out);
        }
        return text.toString();
    }

    @Test
    void theAnswerToAHandshakeLeavesOnlyOnceTheSessionHasJoinedTheNamespace() {
        // netty-socketio flushed the open packet, then joined the session to the default namespace: a
        // client quick with its next request (another connection, another event loop) joined it a
        // second time, and the dialect's connect listener ran twice for one session.
        try (EngineIoHarness harness = new EngineIoHarness()) {
            AtomicReference<EmbeddedChannel> handshake = new AtomicReference<>();
            List<Integer> flushedWhenJoined = new CopyOnWriteArrayList<>();
            harness.server.namespace().addConnectListener(client -> flushedWhenJoined.add(handshake.get().outboundMessages().size()));
            for (int eio : new int[] {3, 4}) {
                EmbeddedChannel channel = harness.channel();
                handshake.set(channel);
                channel.writeInbound(EngineIoHarness.request(HttpMethod.GET,
                        SocketIoServer.PATH + "?EIO=" + eio + "&transport=polling&b64=1", null));
                channel.runPendingTasks();
                assertThat(written(channel)).as("EIO %d", eio).startsWith("HTTP/1.1 200").contains("\"sid\"");
                channel.finishAndReleaseAll();
            }
            assertThat(flushedWhenJoined).as("messages flushed when each session joined").containsExactly(0, 0);
        }
    }

    @Test
    void nettySocketiosHandlersJoinAConnectionOnlyWithItsFirstSocketIoRequest() {
        List<String> socketIoPart = List.of(EngineIoFixes.NAME, AttachmentLimit.NAME,
                SocketIOChannelInitializer.PACKET_HANDLER, SocketIOChannelInitializer.AUTHORIZE_HANDLER,
                PollingUpgradeGuard.NAME, SocketIOChannelInitializer.XHR_POLLING_TRANSPORT, PollingCloseGuard.NAME,
                SocketIOChannelInitializer.WEB_SOCKET_TRANSPORT, SocketIOChannelInitializer.SOCKETIO_ENCODER,
                SocketIOChannelInitializer.WRONG_URL_HANDLER, UncaughtErrors.NAME);
        try (EngineIoHarness harness = new EngineIoHarness();
                EngineIoHarness.Session session = harness.new Session(3, true, true)) {
            EmbeddedChannel plain = harness.channel();
            assertThat(plain.pipeline().names()).as("a connection before any request")
                    .containsSubsequence(SocketIOChannelInitializer.HTTP_REQUEST_DECODER,
                            SocketIOChannelInitializer.HTTP_AGGREGATOR, SocketIOChannelInitializer.HTTP_ENCODER,
                            SocketIoAttachment.NAME)
                    .doesNotContainAnyElementsOf(socketIoPart);
            harness.server.detach(plain.pipeline());
            assertThat(plain.pipeline().names()).as("after one of our dialects took it over").doesNotContain(SocketIoAttachment.NAME);
            plain.finishAndReleaseAll();

            // A poll for a session with nothing queued waits, so its connection stays as the request left it.
            EmbeddedChannel polling = harness.channel();
            polling.writeInbound(EngineIoHarness.request(HttpMethod.GET,
                    SocketIoServer.PATH + "?EIO=3&transport=polling&b64=1&sid=" + session.head.getSessionId(), null));
            assertThat(polling.isOpen()).isTrue();
            assertThat(polling.pipeline().names()).as("after a Socket.IO request")
                    .containsSubsequence(socketIoPart).doesNotContain(SocketIoAttachment.NAME);
            harness.server.detach(polling.pipeline());
            assertThat(polling.pipeline().names()).as("detached after a Socket.IO request").doesNotContainAnyElementsOf(socketIoPart);
            polling.finishAndReleaseAll();
        }
    }

    @Test
    void aPollingConnectionThatClosesAfterItsSessionMovedOnDoesNotDisconnectTheSession() throws Exception {
        try (EngineIoHarness harness = new EngineIoHarness();
                EngineIoHarness.Session session = harness.new Session(3, true, true)) {
            String poll = SocketIoServer.PATH + "?EIO=3&transport=polling&b64=1&sid=" + session.head.getSessionId();
            EmbeddedChannel old = harness.channel();
            old.writeInbound(EngineIoHarness.request(HttpMethod.GET, poll, null)); // nothing queued: it waits
            EmbeddedChannel current = harness.channel();
            current.writeInbound(EngineIoHarness.request(HttpMethod.GET, poll, null)); // now the session's poll
            // Where a race leaves the old connection: ClientHead.bindChannel on another event loop has
            // made the new poll current but not yet unlisted the old one when the old one's close runs.
            Field box = ClientHead.class.getDeclaredField("clientsBox");
            box.setAccessible(true);
            ((ClientsBox) box.get(session.head)).add(old, session.head);
            old.close();
            old.runPendingTasks();
            assertThat(written(current)).as("what the session's poll received").isEmpty();
            assertThat(session.head.getPacketsQueue(Transport.POLLING)).as("packets queued for the session").isEmpty();
            assertThat(session.head.isConnected()).isTrue();
            assertThat(session.escaped).isNull();
            current.finishAndReleaseAll();
        }
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

    /**
     * A relayed argument is handed to Socket.IO as raw UTF-8 bytes: it must reach polling and
     * websocket clients of both versions byte for byte, non-ASCII text included.
     */
    @Test
    void emittedEventsCarryTheirArgumentUnchanged() {
        String argument = "{\"sdp\":\"v=0\\r\\n\",\"t\":\"\u00e9\ud83d\ude00\\u2028\",\"n\":[1.50,null]}";
        byte[] payload = SocketIoEvents.event("ws-handshake", argument.getBytes(StandardCharsets.UTF_8));
        String packet = "42[\"ws-handshake\"," + argument + "]";
        try (EngineIoHarness harness = new EngineIoHarness()) {
            for (int eio : new int[] {3, 4}) {
                try (EngineIoHarness.Session session = harness.new Session(eio, false, true)) {
                    var client = harness.server.namespace().getClient(session.head.getSessionId());
                    session.output.setLength(0);
                    assertThat(SocketIoEvents.emit(client, payload)).isTrue();
                    session.get();
                    // The packet ends the poll, after a binary length prefix (Engine.IO 3) or a separator
                    // from the namespace's connect packet (Engine.IO 4).
                    assertThat(session.output.toString()).endsWith((eio == 3 ? "\uFFFD" : "\u001e") + packet);

                    session.upgrade();
                    session.output.setLength(0);
                    assertThat(SocketIoEvents.emit(client, payload)).isTrue();
                    session.pumpWebsocket();
                    // One text frame: its header (two to four bytes here), then the packet.
                    assertThat(session.output.toString()).endsWith(packet)
                            .hasSizeBetween(packet.length() + 1, packet.length() + 4);
                }
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
