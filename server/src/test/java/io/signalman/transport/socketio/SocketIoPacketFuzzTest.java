package io.signalman.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes Socket.IO packets (the layer inside an Engine.IO message): type, attachment count,
 * namespace, ack id and the JSON array of an event, followed by binary attachments. Each input is
 * sent over a websocket of a connected session: the first byte picks Engine.IO 3 or 4, the rest is
 * split at NUL bytes; the first part goes out as the text frame {@code 4<part>}, every further part as
 * a binary frame (an attachment). The committed corpus runs in every build; {@code JAZZER_FUZZ=1}
 * searches (docs/fuzzing.md).
 *
 * <p>What must hold: no exception reaches the end of the pipeline, bounded time, output linear in the
 * input, our listeners see at most one event per frame, and an unfinished binary event holds at most
 * twice the payload cap (base64 and line breaks make the held bytes a little larger than the
 * received ones; the cap is small, so that short inputs can try to pass it).
 */
class SocketIoPacketFuzzTest {
    /** A payload cap small enough for inputs of a few kilobytes to pass it with attachments. */
    private static final int CAP = 1_000;
    private static final EngineIoHarness HARNESS = new EngineIoHarness(new SocketIoServer.Settings(25_000, 20_000, CAP));

    @AfterAll
    static void stop() {
        HARNESS.close();
    }

    @FuzzTest(maxDuration = "5m")
    void packet(byte[] input) {
        if (input.length == 0) return;
        int eio = (input[0] & 1) == 0 ? 4 : 3;
        List<byte[]> parts = split(input, 1);
        try (EngineIoHarness.Session session = HARNESS.new Session(eio, false, true)) {
            session.upgrade();
            int eventsBefore = HARNESS.events.get();
            long before = session.written;
            long started = System.nanoTime();
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            first.write('4');
            first.writeBytes(parts.get(0));
            session.text(first.toByteArray());
            for (int i = 1; i < parts.size() && session.websocketOpen(); i++) session.binary(parts.get(i));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(session.escaped).as("exception at the end of the pipeline").isNull();
            assertThat(millis).as("time to handle %d bytes", input.length).isLessThan(2_000);
            assertThat(session.written - before).as("bytes written back").isLessThanOrEqualTo(4096 + 64L * input.length);
            // Other fuzz inputs do not run concurrently, so the counter moved only for this session.
            assertThat(HARNESS.events.get() - eventsBefore).isLessThanOrEqualTo(parts.size());
            EngineIoFuzzTest.assertPendingBounded(session.head.getLastBinaryPacket(), CAP);
        }
    }

    private static List<byte[]> split(byte[] input, int from) {
        List<byte[]> parts = new ArrayList<>();
        int start = from;
        for (int i = from; i <= input.length; i++) {
            if (i == input.length || input[i] == 0) {
                parts.add(java.util.Arrays.copyOfRange(input, start, i));
                start = i + 1;
            }
        }
        return parts;
    }
}
