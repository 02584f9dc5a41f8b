package io.signalman.dialect;

import io.signalman.config.ServerConfig;
import io.signalman.core.Switchboard;
import io.signalman.ops.Metrics;

/** What a dialect is built from: the core, the metrics, and the node's configuration. */
public record DialectContext(Switchboard switchboard, Metrics metrics, ServerConfig config) {}
