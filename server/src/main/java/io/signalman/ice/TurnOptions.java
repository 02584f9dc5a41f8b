package io.signalman.ice;

import java.util.List;

/**
 * How the node mints TURN credentials for coturn's REST scheme ({@code use-auth-secret}), from
 * {@code --turn-url}, {@code --turn-secret} and {@code --turn-ttl-seconds}. Minting is off when no
 * URL is configured.
 *
 * @param urls       the TURN URLs every minted credential is good for, e.g. {@code turn:turn.example.org:3478}
 * @param secrets    the shared secrets, newest first: credentials are minted with the first one; the others
 *                   are kept so that this list can mirror coturn's {@code static-auth-secret} lines during a
 *                   rotation (coturn accepts a credential signed with any of them)
 * @param ttlSeconds how long a minted credential is valid
 */
public record TurnOptions(List<String> urls, List<String> secrets, long ttlSeconds) {

    /** A day, as coturn's documentation suggests for REST credentials. */
    public static final long DEFAULT_TTL_SECONDS = 86_400;

    public TurnOptions {
        urls = List.copyOf(urls);
        secrets = List.copyOf(secrets);
        if (!urls.isEmpty() && secrets.isEmpty()) {
            throw new IllegalArgumentException("--turn-url needs a --turn-secret to mint credentials with");
        }
        if (urls.isEmpty() && !secrets.isEmpty()) {
            throw new IllegalArgumentException("--turn-secret needs at least one --turn-url");
        }
        if (ttlSeconds < 1) throw new IllegalArgumentException("--turn-ttl-seconds must be at least 1");
        for (String url : urls) {
            if (!url.matches("turns?:[^\\s]+")) {
                throw new IllegalArgumentException("--turn-url '" + url + "' must start with turn: or turns:");
            }
        }
        for (String secret : secrets) {
            if (secret.isEmpty()) throw new IllegalArgumentException("--turn-secret must not be empty");
        }
    }

    /** No TURN credentials are minted. */
    public static TurnOptions off() {
        return new TurnOptions(List.of(), List.of(), DEFAULT_TTL_SECONDS);
    }

    /** Whether credentials are minted at all. */
    public boolean enabled() {
        return !urls.isEmpty();
    }

    @Override
    public String toString() {
        // Secrets stay out of logs and exception messages that print the configuration.
        return "TurnOptions[urls=" + urls + ", secrets=" + secrets.size() + ", ttlSeconds=" + ttlSeconds + "]";
    }
}
