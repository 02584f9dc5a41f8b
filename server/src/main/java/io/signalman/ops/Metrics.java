package io.signalman.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.signalman.core.Engine;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentHashMap;

/** The node's Prometheus registry and the meters of each dialect. */
public final class Metrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, DialectMeters> dialects = new ConcurrentHashMap<>();
    private final Engine engine;
    private final List<Supplier<String>> expositions = new CopyOnWriteArrayList<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public Metrics(Engine engine) {
        this.engine = engine;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** The meters of one dialect, created on first use; {@code realm} is its id space in the engine. */
    public DialectMeters dialect(String dialect, String realm) {
        return dialects.computeIfAbsent(dialect, d -> {
            Gauge.builder("signalman_rooms", engine, e -> e.roomCount(realm))
                    .description("Rooms that exist now").tag("dialect", d).register(registry);
            Gauge.builder("signalman_peers", engine, e -> e.peerCount(realm))
                    .description("Peers connected now").tag("dialect", d).register(registry);
            return new DialectMeters(registry, d);
        });
    }

    /**
     * A counter by name and tags ({@code key, value, ...}), registered on first use. Look it up once
     * and keep it where it is counted often.
     */
    public Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(name + String.join("\u0000", tags),
                key -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    /** Open sessions over every dialect (upgraded WebSockets and Socket.IO clients). */
    public int openSessions() {
        return dialects.values().stream().mapToInt(DialectMeters::openConnections).sum();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Adds series written by hand to the exposition, for dialects whose original metric names do not
     * fit Micrometer's naming rules.
     */
    public void addExposition(Supplier<String> series) {
        expositions.add(series);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        StringBuilder out = new StringBuilder(registry.scrape());
        expositions.forEach(series -> out.append(series.get()));
        return out.toString();
    }
}
