package io.signalman.config;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/** Chooses the log format and level before the first logger is used. */
final class Logging {
    private Logging() {}

    static void configure(String level, String format) {
        Configurator.initialize(null, "json".equals(format) ? "log4j2-json.xml" : "log4j2.xml");
        Configurator.setRootLevel(Level.toLevel(level, Level.INFO));
    }
}
