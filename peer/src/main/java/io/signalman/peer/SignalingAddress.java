package io.signalman.peer;

import io.github.cdimascio.dotenv.Dotenv;
import java.net.URI;
import java.util.function.Function;

/**
 * Where the {@code direct} dialect's server is: {@code SIGNALING_SERVER_ADDR} and
 * {@code SIGNALING_SERVER_PORT} from the environment, else from {@code .env}, else 127.0.0.1:8000,
 * as seed 004's peer reads them.
 */
public record SignalingAddress(String host, String port) {

    static final String ADDR = "SIGNALING_SERVER_ADDR";
    static final String PORT = "SIGNALING_SERVER_PORT";

    /**
     * @param environment the process environment ({@code System::getenv}) or a stand-in
     * @param dotenv      the working directory's {@code .env}, or null when there is none
     */
    public static SignalingAddress read(Function<String, String> environment, Dotenv dotenv) {
        return new SignalingAddress(lookup(ADDR, environment, dotenv, "127.0.0.1"), lookup(PORT, environment, dotenv, "8000"));
    }

    /** From this process's environment and the working directory's {@code .env}. */
    public static SignalingAddress system() {
        return read(System::getenv, Dotenv.configure().ignoreIfMissing().ignoreIfMalformed().load());
    }

    private static String lookup(String name, Function<String, String> environment, Dotenv dotenv, String fallback) {
        String value = environment.apply(name);
        if ((value == null || value.isBlank()) && dotenv != null) {
            // Dotenv.get() consults the process environment too; only the file's own entries count here.
            value = dotenv.entries(Dotenv.Filter.DECLARED_IN_ENV_FILE).stream()
                    .filter(entry -> entry.getKey().equals(name))
                    .map(entry -> entry.getValue()).findFirst().orElse(null);
        }
        // A .env written on Windows leaves a carriage return that the original's README warns about.
        value = value == null ? null : value.strip();
        return value == null || value.isEmpty() ? fallback : value;
    }

    /** The base URL the original peer builds: {@code ws://ADDR:PORT}. */
    public URI baseUrl() {
        String host = host().contains(":") && !host().startsWith("[") ? "[" + host() + "]" : host();
        return URI.create("ws://" + host + ":" + port());
    }
}
