package io.signalman.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counters of one dialect. Meter instances are looked up once and kept, so the relay path only
 * increments (no registry look-up, no tag allocation per message).
 */
public final class DialectMeters {
    /** The relay-latency histogram's name; the bench module reads it from a node's Prometheus endpoint. */
    public static final String RELAY_LATENCY = "signalman_relay_latency";

    private final MeterRegistry registry;
    private final String dialect;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter accepted;
    private final Counter framesIn;
    private final Counter framesOut;
    private final Timer relayLatency;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();

    DialectMeters(MeterRegistry registry, String dialect) {
        this.registry = registry;
        this.dialect = dialect;
        Gauge.builder("signalman_connections_open", open, AtomicInteger::get)
                .description("Open connections").tag("dialect", dialect).register(registry);
        accepted = Counter.builder("signalman_connections_total")
                .description("Connections accepted").tag("dialect", dialect).register(registry);
        framesIn = Counter.builder("signalman_frames_in_total")
                .description("Frames received from clients").tag("dialect", dialect).register(registry);
        framesOut = Counter.builder("signalman_frames_out_total")
                .description("Frames sent to clients").tag("dialect", dialect).register(registry);
        relayLatency = Timer.builder(RELAY_LATENCY)
                .description("From a frame's arrival to its hand-off to each recipient's connection")
                .tag("dialect", dialect)
                .serviceLevelObjectives(Duration.ofNanos(50_000), Duration.ofNanos(100_000),
                        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
                        Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50))
                .register(registry);
    }

    public void connectionOpened() {
        open.incrementAndGet();
        accepted.increment();
    }

    public void connectionClosed() {
        open.decrementAndGet();
    }

    public void frameIn() {
        framesIn.increment();
    }

    public void frameOut() {
        framesOut.increment();
    }

    /** Records a relay's latency from the time its frame arrived ({@link System#nanoTime()}). */
    public void relayed(long receivedNanos) {
        if (receivedNanos != 0) relayLatency.record(System.nanoTime() - receivedNanos, TimeUnit.NANOSECONDS);
    }

    /** Counts an error answered to a client, by its code. */
    public void error(String code) {
        errors.computeIfAbsent(code, c -> Counter.builder("signalman_errors_total")
                .description("Errors answered to clients").tag("dialect", dialect).tag("code", c)
                .register(registry)).increment();
    }

    public int openConnections() {
        return open.get();
    }
}
