package io.signalman.config;

/**
 * How native-protocol sessions outlive a lost connection (docs/protocol.md §9).
 *
 * @param windowMs how long a session whose connection was lost waits for its client; 0 ends every
 *                 session with its connection
 * @param maxHeld  how many events such a session holds for its client; one more ends it
 */
public record ResumeOptions(long windowMs, int maxHeld) {

    public static ResumeOptions defaults() {
        return new ResumeOptions(30_000, 256);
    }

    public boolean enabled() {
        return windowMs > 0;
    }
}
