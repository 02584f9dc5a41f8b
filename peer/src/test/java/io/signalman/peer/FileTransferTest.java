package io.signalman.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileSender into FileReceiver through a stand-in channel that buffers what it is given. */
class FileTransferTest {

    @TempDir
    Path dir;

    /** Buffers every frame; a wait drains it. Records the largest buffer the sender let build up. */
    static final class FakeChannel implements FrameSink {
        final List<byte[]> frames = new ArrayList<>();
        long buffered;
        long maxBuffered;
        int waits;
        boolean stuck;

        @Override
        public void send(byte[] frame) {
            frames.add(frame);
            buffered += frame.length;
            maxBuffered = Math.max(maxBuffered, buffered);
        }

        @Override
        public long bufferedAmount() {
            return buffered;
        }

        @Override
        public boolean awaitBufferedAtMost(long bytes, long timeoutMillis) {
            waits++;
            if (stuck) return false;
            buffered = Math.min(buffered, bytes);
            return true;
        }
    }

    static final class Events implements FileReceiver.Listener {
        final List<String> log = new ArrayList<>();
        FileReceiver.Received last;

        @Override
        public void started(String name, long size) {
            log.add("start " + name + " " + size);
        }

        @Override
        public void progress(long received, long size) {
        }

        @Override
        public void finished(FileReceiver.Received received) {
            last = received;
            log.add("end " + received.ok());
        }
    }

    private Path randomFile(String name, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void aFileArrivesWholeWithTheSameDigestAndTheSenderPausesOnAFullBuffer() throws Exception {
        Path file = randomFile("data.bin", 3 * 1024 * 1024 + 123, 1);
        FakeChannel channel = new FakeChannel();
        List<Long> progress = new ArrayList<>();
        String sha = new FileSender(channel, 1000).send(file, progress::add);

        assertThat(sha).isEqualTo(Sha256.hex(Files.readAllBytes(file)));
        assertThat(progress).last().isEqualTo(Files.size(file));
        // Never more than one chunk above the high-water mark, and it had to wait to stay there.
        assertThat(channel.maxBuffered).isLessThanOrEqualTo(FileSender.HIGH_WATER + FileFrames.CHUNK_BYTES + 1);
        assertThat(channel.waits).isGreaterThan(0);
        assertThat(channel.frames).allSatisfy(frame -> assertThat(frame.length).isLessThanOrEqualTo(FileFrames.CHUNK_BYTES + 1));

        Path inbox = dir.resolve("inbox");
        Events events = new Events();
        FileReceiver receiver = new FileReceiver(inbox, events);
        byte[] reply = null;
        for (byte[] frame : channel.frames) reply = receiver.accept(FileFrames.decode(frame));

        assertThat(events.log).containsExactly("start data.bin " + Files.size(file), "end true");
        assertThat(Files.readAllBytes(inbox.resolve("data.bin"))).isEqualTo(Files.readAllBytes(file));
        FileFrames.Frame result = FileFrames.decode(reply);
        assertThat(result.kind()).isEqualTo(FileFrames.RESULT);
        assertThat(result.json().get("ok").asBoolean()).isTrue();
        assertThat(result.json().get("sha256").asText()).isEqualTo(sha);
        try (var listing = Files.list(inbox)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("data.bin");
        }
    }

    @Test
    void aCorruptedChunkIsDetectedAndNothingIsKept() throws Exception {
        Path file = randomFile("x.bin", 100_000, 2);
        FakeChannel channel = new FakeChannel();
        new FileSender(channel, 1000).send(file, n -> { });
        channel.frames.get(2)[10] ^= 1;

        Path inbox = dir.resolve("inbox");
        Events events = new Events();
        FileReceiver receiver = new FileReceiver(inbox, events);
        byte[] reply = null;
        for (byte[] frame : channel.frames) reply = receiver.accept(FileFrames.decode(frame));

        assertThat(events.last.ok()).isFalse();
        assertThat(events.last.problem()).contains("SHA-256");
        assertThat(FileFrames.decode(reply).json().get("ok").asBoolean()).isFalse();
        try (var listing = Files.list(inbox)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void aChannelThatDoesNotDrainFailsTheTransfer() throws Exception {
        Path file = randomFile("big.bin", 2 * 1024 * 1024, 3);
        FakeChannel channel = new FakeChannel();
        channel.stuck = true;
        assertThatThrownBy(() -> new FileSender(channel, 10).send(file, n -> { })).hasMessageContaining("did not drain");
    }

    @Test
    void aSecondFileWithTheSameNameGetsANumber() throws Exception {
        Path inbox = dir.resolve("inbox");
        FileReceiver receiver = new FileReceiver(inbox, new Events());
        for (int i = 0; i < 2; i++) {
            FakeChannel channel = new FakeChannel();
            new FileSender(channel, 1000).send(randomFile("notes.txt", 10, i), n -> { });
            for (byte[] frame : channel.frames) receiver.accept(FileFrames.decode(frame));
        }
        assertThat(inbox.resolve("notes.txt")).exists();
        assertThat(inbox.resolve("notes (1).txt")).exists();
    }

    @Test
    void namesFromTheSenderCannotLeaveTheDirectory() {
        assertThat(FileReceiver.safeName("../../etc/passwd")).isEqualTo("passwd");
        assertThat(FileReceiver.safeName("C:\\Users\\x\\secret.txt")).isEqualTo("secret.txt");
        assertThat(FileReceiver.safeName("..")).isEqualTo("received-file");
        assertThat(FileReceiver.safeName("dir/")).isEqualTo("received-file");
        assertThat(FileReceiver.safeName("a\u0000b\nc")).isEqualTo("abc");
    }

    @Test
    void chunksOutsideATransferAreRejected() {
        FileReceiver receiver = new FileReceiver(dir, new Events());
        assertThatThrownBy(() -> receiver.accept(FileFrames.decode(FileFrames.chunk(new byte[] {1}, 0, 1))))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> receiver.accept(FileFrames.decode(FileFrames.end("00")))).isInstanceOf(IOException.class);
    }
}
