package io.signalman.config;

import io.github.cdimascio.dotenv.Dotenv;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies option defaults from {@code SIGNALMAN_*} environment variables, then from a {@code .env}
 * file in the working directory; picocli falls back to the built-in default when neither has one.
 * {@code --room-capacity} reads {@code SIGNALMAN_ROOM_CAPACITY}; list options take comma-separated values.
 */
public final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    private final Function<String, String> environment;
    private final Dotenv dotenv;

    /**
     * @param environment the process environment ({@code System::getenv}), or a stand-in for tests
     * @param dotenv      the {@code .env} entries, or null
     */
    public EnvironmentDefaults(Function<String, String> environment, Dotenv dotenv) {
        this.environment = environment;
        this.dotenv = dotenv;
    }

    /** Defaults from this process's environment and the working directory's {@code .env}. */
    public static EnvironmentDefaults system() {
        return new EnvironmentDefaults(System::getenv, loadDotenv());
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
        String value = environment.apply(variable);
        if (value == null && dotenv != null) {
            // Dotenv.get() would consult the process environment too; read the file's entries alone.
            value = dotenv.entries(Dotenv.Filter.DECLARED_IN_ENV_FILE).stream()
                    .filter(entry -> entry.getKey().equals(variable))
                    .map(entry -> entry.getValue()).findFirst().orElse(null);
        }
        return value == null || value.isEmpty() ? null : value;
    }
}
