package io.signalman.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.corundumstudio.socketio.protocol.Packet;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes Engine.IO framing as netty-socketio decodes it inside our pipeline: a long-polling POST body
 * (Engine.IO 4 text payloads, Engine.IO 3 binary and base64 payloads) or a websocket frame (text in
 * both versions, binary in version 4), sent on a session that has joined the default namespace. The
 * committed corpus runs in every build; {@code JAZZER_FUZZ=1} searches (docs/fuzzing.md).
 *
 * <p>The first input byte picks the transport and version, the rest is the payload. netty-socketio
 * may reject a payload by throwing; what must hold: no exception reaches the end of the pipeline,
 * the payload is handled in bounded time, what the server writes back grows at most linearly with the
 * payload, and no session holds more than the payload cap for an unfinished binary event.
 */
class EngineIoFuzzTest {
    private static final EngineIoHarness HARNESS = new EngineIoHarness();

    @AfterAll
    static void stop() {
        HARNESS.close();
    }

    @FuzzTest(maxDuration = "5m")
    void payload(byte[] input) {
        if (input.length == 0) return;
        int mode = (input[0] & 0xff) % 6;
        byte[] payload = Arrays.copyOfRange(input, 1, input.length);
        int eio = mode == 1 || mode == 2 || mode == 4 ? 3 : 4;
        try (EngineIoHarness.Session session = HARNESS.new Session(eio, mode == 2, true)) {
            if (mode >= 3) session.upgrade();
            long before = session.written;
            long started = System.nanoTime();
            switch (mode) {
                case 0, 1, 2 -> {
                    session.post(payload);
                    session.get();
                }
                case 3, 4 -> session.text(payload);
                default -> session.binary(payload);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(session.escaped).as("exception at the end of the pipeline").isNull();
            assertThat(millis).as("time to handle %d bytes", payload.length).isLessThan(2_000);
            assertThat(session.written - before).as("bytes written back").isLessThanOrEqualTo(4096 + 64L * payload.length);
            assertPendingBounded(session.head.getLastBinaryPacket(), EngineIoHarness.MAX_PAYLOAD);
        }
    }

    static void assertPendingBounded(Packet pending, int cap) {
        if (pending == null) return;
        long bytes = pending.getDataSource() == null ? 0 : pending.getDataSource().readableBytes();
        for (var attachment : pending.getAttachments()) bytes += attachment.readableBytes();
        assertThat(bytes).as("bytes held for an unfinished binary event").isLessThanOrEqualTo(cap * 2L);
    }
}
