package io.signalman.dialect.star;

import io.signalman.core.Engine;
import java.util.concurrent.atomic.LongAdder;

/**
 * The original's {@code webrtc_star_*} Prometheus series, by their exact names. Written by hand
 * because Micrometer's Prometheus naming would append {@code _total} to counters whose names the
 * original already chose (e.g. {@code webrtc_star_dials_total_success}), and dashboards match names.
 */
final class StarCounters {
    final LongAdder dials = new LongAdder();
    final LongAdder dialSuccesses = new LongAdder();
    final LongAdder dialFailures = new LongAdder();
    final LongAdder joins = new LongAdder();
    final LongAdder joinSuccesses = new LongAdder();
    final LongAdder joinFailures = new LongAdder();
    private final Engine engine;

    StarCounters(Engine engine) {
        this.engine = engine;
    }

    /** The series in Prometheus text format. */
    String exposition() {
        StringBuilder out = new StringBuilder();
        series(out, "webrtc_star_peers", "gauge", "Number of peers connected", engine.peerCount(StarDialect.REALM));
        series(out, "webrtc_star_dials_total", "counter", "Dials", dials.sum());
        series(out, "webrtc_star_dials_total_success", "counter", "Successful dials", dialSuccesses.sum());
        series(out, "webrtc_star_dials_total_failure", "counter", "Failed dials", dialFailures.sum());
        series(out, "webrtc_star_joins_total", "counter", "Joins", joins.sum());
        series(out, "webrtc_star_joins_total_success", "counter", "Successful joins", joinSuccesses.sum());
        series(out, "webrtc_star_joins_total_failure", "counter", "Failed joins", joinFailures.sum());
        return out.toString();
    }

    private static void series(StringBuilder out, String name, String type, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(name).append(' ').append(value).append('\n');
    }
}
