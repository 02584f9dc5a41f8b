package io.signalman.bench;

import io.signalman.ops.DialectMeters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Signalman's own count of how long a relay spent inside the node (from its frame's arrival to its
 * hand-off to the recipient's connection), read from the {@code signalman_relay_latency} histogram on
 * the node's Prometheus endpoint just before a measured window and after its drain. The generator's
 * latency is end to end (its own sending and receiving, both kernels' loopback, the node); this is
 * the node's share alone, so a run can say which of them a tail belongs to.
 *
 * <p>Buckets are summed over dialects and over several endpoints (the nodes of a cluster).
 */
final class ServerRelayLatency {
    // Prometheus names a timer's histogram <name>_seconds_bucket.
    private static final String BUCKET = DialectMeters.RELAY_LATENCY + "_seconds_bucket{";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Cumulative counts by upper bound in seconds ({@code +Inf} as {@link Double#POSITIVE_INFINITY}), read-only. */
    record Snapshot(SortedMap<Double, Long> cumulative) {
        Snapshot {
            cumulative = Collections.unmodifiableSortedMap(cumulative);
        }
    }

    private ServerRelayLatency() {}

    /** Reads every endpoint and sums its buckets. */
    static Snapshot read(List<URI> endpoints) throws Exception {
        List<Snapshot> each = new ArrayList<>();
        for (URI endpoint : endpoints) {
            HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(5)).GET().build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) throw new IllegalStateException(endpoint + " answered " + response.statusCode());
            each.add(parse(response.body()));
        }
        return sum(each);
    }

    /** The buckets of several nodes added bound by bound. */
    static Snapshot sum(List<Snapshot> snapshots) {
        TreeMap<Double, Long> sum = new TreeMap<>();
        for (Snapshot one : snapshots) one.cumulative().forEach((le, n) -> sum.merge(le, n, Long::sum));
        return new Snapshot(sum);
    }

    /** The relay-latency buckets of one Prometheus text exposition. */
    static Snapshot parse(String exposition) {
        TreeMap<Double, Long> buckets = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(BUCKET)) continue;
            int le = line.indexOf("le=\"");
            int close = line.indexOf('"', le + 4);
            int space = line.lastIndexOf(' ');
            if (le < 0 || close < 0 || space < close) continue;
            String bound = line.substring(le + 4, close);
            double seconds = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            long count = (long) Double.parseDouble(line.substring(space + 1).trim());
            buckets.merge(seconds, count, Long::sum);
        }
        return new Snapshot(buckets);
    }

    /**
     * What happened between two snapshots: the relays counted ({@code server_relays}) and, for each
     * bound, the fraction of them that spent at most that long in the node ({@code within_50us}, ...).
     */
    static Map<String, Object> between(Snapshot before, Snapshot after) {
        Map<String, Object> r = new LinkedHashMap<>();
        long total = delta(before, after, Double.POSITIVE_INFINITY);
        r.put("server_relays", total);
        for (Double le : after.cumulative().keySet()) {
            if (le.isInfinite() || total == 0) continue;
            r.put("within_" + Math.round(le * 1e6) + "us", (double) delta(before, after, le) / total);
        }
        return r;
    }

    private static long delta(Snapshot before, Snapshot after, double le) {
        return after.cumulative().getOrDefault(le, 0L) - before.cumulative().getOrDefault(le, 0L);
    }
}
