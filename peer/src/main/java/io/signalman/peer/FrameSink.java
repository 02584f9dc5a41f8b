package io.signalman.peer;

/** Where a {@link FileSender} puts its frames: the data channel, or a stand-in in tests. */
public interface FrameSink {
    /** Queues one binary message. */
    void send(byte[] frame) throws Exception;

    /** Bytes queued and not yet handed to the network. */
    long bufferedAmount();

    /**
     * Blocks until {@link #bufferedAmount()} is at most {@code bytes}, or the sink closed (then it
     * throws), or the deadline passed (then it returns false).
     */
    boolean awaitBufferedAtMost(long bytes, long timeoutMillis) throws Exception;
}
