package io.signalman.dialect;

import io.signalman.config.ServerConfig;
import io.signalman.core.Switchboard;
import io.signalman.ops.Metrics;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a dialect is built from: the core, the metrics, the node's configuration, and the event
 * loops for timers (tasks must not block).
 */
public record DialectContext(Switchboard switchboard, Metrics metrics, ServerConfig config,
        ScheduledExecutorService timers) {}
