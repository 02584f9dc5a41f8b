package io.signalman.ops;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs at most one line per interval and says how many were held back, so that a flood of refused
 * clients cannot flood the log as well. The counters in metrics keep the exact numbers.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, long intervalMs) {
        this.log = log;
        this.intervalNanos = intervalMs * 1_000_000;
    }

    /** Logs {@code format} at info level unless a line was logged within the interval. */
    public void info(String format, Object argument) {
        long now = System.nanoTime();
        long due = next.get();
        if ((due == Long.MIN_VALUE || now - due >= 0) && next.compareAndSet(due, now + intervalNanos)) {
            long held = suppressed.getAndSet(0);
            if (held > 0) log.info(format + " (and {} more since the last such line)", argument, held);
            else log.info(format, argument);
        } else {
            suppressed.incrementAndGet();
        }
    }
}
