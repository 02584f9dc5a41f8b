package io.signalman.peer;

import java.util.Locale;

/**
 * A one-line progress bar with rate and ETA, redrawn in place with a carriage return. Only drawn on
 * a terminal: in a pipe or a log it would be a wall of partial lines.
 */
public final class Progress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final String label;
    private final long total;
    private final long startNanos;
    private final java.io.PrintStream out;
    private long lastDraw;

    /** @param out where to draw, or null to draw nothing */
    public Progress(String label, long total, java.io.PrintStream out, long startNanos) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.startNanos = startNanos;
    }

    /** Redraws at most ten times a second, and always for the last byte. */
    public void update(long done, long nowNanos) {
        if (out == null) return;
        if (done < total && nowNanos - lastDraw < REDRAW_NANOS) return;
        lastDraw = nowNanos;
        out.print("\r" + line(label, done, total, nowNanos - startNanos));
        if (done >= total) out.println();
        out.flush();
    }

    /** The bar for {@code done} of {@code total} bytes after {@code elapsedNanos}. */
    static String line(String label, long done, long total, long elapsedNanos) {
        double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 && done < total ? duration((long) Math.ceil((total - done) / rate)) : "--:--";
        return String.format(Locale.ROOT, "%s [%s%s] %3d%% %s/%s %s/s ETA %s",
                label, "#".repeat(filled), ".".repeat(WIDTH - filled), (int) Math.floor(fraction * 100),
                bytes(done), bytes(total), bytes((long) rate), eta);
    }

    static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        if (n < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    static String duration(long seconds) {
        if (seconds >= 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
