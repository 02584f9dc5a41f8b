package io.signalman.security;

/** A token that does not admit its bearer; {@link #reason()} is a short label for metrics. */
public final class TokenRejected extends Exception {
    private final String reason;

    public TokenRejected(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** {@code missing}, {@code malformed}, {@code expired}, {@code bad-signature} or {@code invalid}. */
    public String reason() {
        return reason;
    }
}
