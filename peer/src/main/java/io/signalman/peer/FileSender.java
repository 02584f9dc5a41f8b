package io.signalman.peer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/**
 * Streams one file as {@link FileFrames}, pausing whenever the channel holds more than
 * {@link #HIGH_WATER} bytes until it drains to {@link #LOW_WATER}: without that, a fast disk fills
 * libwebrtc's send queue, and a data channel whose queue overflows is closed.
 */
public final class FileSender {
    /** Above this many buffered bytes the sender pauses. */
    public static final long HIGH_WATER = 1024 * 1024;
    /** The sender resumes once the buffer is down to this. */
    public static final long LOW_WATER = 256 * 1024;

    private final FrameSink sink;
    private final long stallMillis;

    /**
     * @param stallMillis how long the buffer may stay above the low-water mark before the transfer
     *                    is given up as stuck
     */
    public FileSender(FrameSink sink, long stallMillis) {
        this.sink = sink;
        this.stallMillis = stallMillis;
    }

    /**
     * Sends START, the chunks and END for {@code file}; {@code progress} gets the bytes sent so far.
     *
     * @return the SHA-256 (hex) of what was sent
     */
    public String send(Path file, LongConsumer progress) throws Exception {
        long size = Files.size(file);
        MessageDigest digest = Sha256.newDigest();
        sink.send(FileFrames.start(file.getFileName().toString(), size));
        byte[] buffer = new byte[FileFrames.CHUNK_BYTES];
        long sent = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while ((read = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                if (sink.bufferedAmount() > HIGH_WATER && !sink.awaitBufferedAtMost(LOW_WATER, stallMillis)) {
                    throw new IOException("the data channel did not drain for " + stallMillis + " ms");
                }
                digest.update(buffer, 0, read);
                sink.send(FileFrames.chunk(buffer, 0, read));
                sent += read;
                progress.accept(sent);
            }
        }
        if (sent != size) throw new IOException(file + " changed size while it was sent (" + size + " then " + sent + " bytes)");
        String sha256 = Sha256.hex(digest);
        sink.send(FileFrames.end(sha256));
        return sha256;
    }
}
