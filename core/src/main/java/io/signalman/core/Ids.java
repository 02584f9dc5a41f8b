package io.signalman.core;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/** Random identifiers: short public peer ids, and unguessable secrets such as session tokens. */
public final class Ids {
    private static final char[] ALPHANUMERIC =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom SECURE = new SecureRandom();

    private Ids() {}

    /**
     * A public id of {@code length} characters from [0-9A-Za-z]. Not a secret (others see it), so a
     * fast generator is enough; collisions are caught by the directory.
     */
    public static String alphanumeric(int length) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = ALPHANUMERIC[random.nextInt(ALPHANUMERIC.length)];
        return new String(chars);
    }

    /** A secret of {@code bytes} random bytes from a cryptographic source, base64url without padding. */
    public static String secret(int bytes) {
        byte[] buffer = new byte[bytes];
        SECURE.nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }
}
