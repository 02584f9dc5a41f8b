package io.signalman.config;

import io.github.cdimascio.dotenv.Dotenv;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies option defaults from {@code SIGNALMAN_*} environment variables, then from a {@code .env}
 * file in the working directory; picocli falls back to the built-in default when neither has one.
 * {@code --room-capacity} reads {@code SIGNALMAN_ROOM_CAPACITY}; list options take comma-separated values.
 */
public final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    private final Dotenv dotenv;

    public EnvironmentDefaults(Dotenv dotenv) {
        this.dotenv = dotenv;
    }

    /** Reads {@code .env} from the working directory if there is one (a missing file is not an error). */
    public static Dotenv loadDotenv() {
        return Dotenv.configure().ignoreIfMissing().ignoreIfMalformed().load();
    }

    /** The environment variable an option reads, e.g. {@code SIGNALMAN_ROOM_CAPACITY}. */
    public static String variableFor(String longOption) {
        return "SIGNALMAN_" + longOption.replaceFirst("^-+", "").replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) return null;
        return lookup(variableFor(option.longestName()));
    }

    /** The value of a variable from the environment, else from {@code .env}, else null. */
    public String lookup(String variable) {
        String value = System.getenv(variable);
        if (value == null && dotenv != null) value = dotenv.get(variable, null);
        return value == null || value.isEmpty() ? null : value;
    }
}
