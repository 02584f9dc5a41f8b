package io.signalman.dialect;

import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Text frames a session keeps while one of its requests waits for an answer that comes later (a
 * join that the cluster decides): replies must follow the order of requests, so what arrives
 * meanwhile waits here, bounded, and is handed back in order. Used on the session's event loop only.
 */
public final class PausedFrames {

    /** What handles a frame, as the session's own {@code onText} would. */
    @FunctionalInterface
    public interface Handler {
        void handle(byte[] frame, int length, long receivedNanos);
    }

    private record Frame(byte[] bytes, long receivedNanos) {}

    /** Stands for a frame that did not fit, for protocols that answer it in its turn. */
    private static final Frame OVERFLOW = new Frame(new byte[0], 0);

    private final int maxFrames;
    private final long maxBytes;
    private final boolean markOverflow;
    private boolean paused;
    private ArrayDeque<Frame> frames;
    private long bytes;

    /**
     * @param markOverflow whether a frame beyond the bounds leaves a mark that {@link #resume} reports
     *                     in its turn (else it is dropped without a trace)
     */
    public PausedFrames(int maxFrames, long maxBytes, boolean markOverflow) {
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.markOverflow = markOverflow;
    }

    public void pause() {
        paused = true;
    }

    public boolean isPaused() {
        return paused;
    }

    /** Keeps a copy of {@code frame[0, length)}. */
    public void add(byte[] frame, int length, long receivedNanos) {
        if (frames == null) frames = new ArrayDeque<>();
        if (frames.size() >= maxFrames || bytes + length > maxBytes) {
            if (markOverflow) frames.add(OVERFLOW);
            return;
        }
        bytes += length;
        frames.add(new Frame(Arrays.copyOf(frame, length), receivedNanos));
    }

    /**
     * Ends the pause and hands the kept frames to {@code handler} in order, until one of them pauses
     * again; a mark of a frame that did not fit runs {@code overflow}. A closed channel's frames are dropped.
     */
    public void resume(Channel channel, Handler handler, Runnable overflow) {
        paused = false;
        while (!paused && frames != null && !frames.isEmpty()) {
            Frame next = frames.poll();
            if (!channel.isActive()) {
                frames = null;
                bytes = 0;
                return;
            }
            if (next == OVERFLOW) {
                overflow.run();
                continue;
            }
            bytes -= next.bytes.length;
            handler.handle(next.bytes, next.bytes.length, next.receivedNanos);
        }
    }
}
