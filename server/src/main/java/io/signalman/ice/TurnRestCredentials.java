package io.signalman.ice;

import io.signalman.config.IceServer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints time-limited TURN credentials under the "TURN REST API" scheme that coturn implements with
 * {@code use-auth-secret}: the username is {@code <expiry as Unix seconds>:<user>} and the credential
 * is {@code base64(HMAC-SHA1(secret, username))}. coturn checks both without any call back to this
 * node, so a credential works on every TURN server that shares the secret.
 *
 * <p>Rotation: credentials are minted with the first secret. coturn accepts every
 * {@code static-auth-secret} it lists, so give it the new secret beside the old one, put the new one
 * first here, and drop the old one from coturn once the last credential minted with it has expired
 * (after the TTL).
 */
public final class TurnRestCredentials {
    private static final String HMAC = "HmacSHA1";

    private final List<String> urls;
    private final SecretKeySpec key;
    private final long ttlSeconds;
    private final Clock clock;

    public TurnRestCredentials(TurnOptions options, Clock clock) {
        if (!options.enabled()) throw new IllegalArgumentException("TURN minting is not configured");
        this.urls = options.urls();
        this.key = new SecretKeySpec(options.secrets().get(0).getBytes(StandardCharsets.UTF_8), HMAC);
        this.ttlSeconds = options.ttlSeconds();
        this.clock = clock;
    }

    /** A credential for {@code user}, valid for at least the TTL from now, on every configured URL. */
    public IceServer mint(String user) {
        // Rounded up to the next whole second: rounding down would cut up to a second off the TTL, and
        // with a short TTL the refresh at 80% of it could then come after the credential has expired.
        long expiry = Math.floorDiv(clock.millis() + 999, 1000) + ttlSeconds;
        String username = expiry + ":" + user;
        return new IceServer(urls, username, sign(username));
    }

    /** How long each minted credential is valid, in seconds. */
    public long ttlSeconds() {
        return ttlSeconds;
    }

    private String sign(String username) {
        try {
            // A Mac is not thread-safe and sessions mint on many event loops; one is cheap to make.
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            // Every JDK must provide HmacSHA1, so this is a broken runtime, not bad input.
            throw new IllegalStateException("HmacSHA1 is unavailable", e);
        }
    }
}
