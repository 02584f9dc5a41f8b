package io.signalman.transport;

/**
 * A token bucket: {@code ratePerSecond} tokens refill continuously up to {@code burst}. Not
 * thread-safe; each owner uses it from one thread or under its own lock. Two fields and no
 * allocation, so every connection can afford one.
 */
public final class TokenBucket {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    public TokenBucket(double ratePerSecond, int burst) {
        this.perNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** Takes one token if there is one at time {@code now} ({@link System#nanoTime()}). */
    public boolean tryTake(long now) {
        refill(now);
        if (tokens < 1) return false;
        tokens -= 1;
        return true;
    }

    /** Whether the bucket has refilled completely by {@code now}. */
    public boolean isFull(long now) {
        refill(now);
        return tokens >= burst;
    }

    private void refill(long now) {
        long elapsed = now - last;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            last = now;
        }
    }
}
