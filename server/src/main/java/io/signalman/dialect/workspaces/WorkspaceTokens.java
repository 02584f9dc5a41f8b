package io.signalman.dialect.workspaces;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.JWTVerifier;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The original's tokens: HS256 JWTs (secret {@code MAGICK_TOKEN}) whose {@code singningToken} claim
 * is a bcrypt {@code $2b$} hash of {@code <workspace>:<pin or attendee>:<SALT_STRING>}. Made and
 * checked exactly as jsonwebtoken and bcrypt did, so tokens and storage files of the Node server
 * stay valid. bcrypt is slow on purpose, so callers run this off the event loops, and checks of a
 * token already seen are answered from a bounded cache.
 */
final class WorkspaceTokens {
    /** bcrypt reads at most 72 bytes of a password; Node's bcrypt silently ignored the rest. */
    private static final int BCRYPT_MAX_BYTES = 72;
    /** The original's bcrypt cost factor. */
    static final int COST = 10;
    private static final int CACHE_SIZE = 4096;

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final String salt;
    private final int cost;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Boolean> checked = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    WorkspaceTokens(String secret, String salt) {
        this(secret, salt, COST);
    }

    /** With another bcrypt cost: fuzz tests use the cheapest, so that a valid {@code create} does not take 60 ms. */
    WorkspaceTokens(String secret, String salt, int cost) {
        this.cost = cost;
        this.algorithm = Algorithm.HMAC256(secret);
        this.verifier = JWT.require(algorithm).build();
        this.salt = salt;
    }

    /** The invitation a workspace's owner shares: proves the workspace id and its PIN. */
    String workspaceToken(String workspaceId, String pin) {
        return JWT.create()
                .withClaim("id", workspaceId)
                .withClaim("singningToken", hash(workspaceId + ":" + pin + ":" + salt))
                .withClaim("iat", System.currentTimeMillis() / 1000)
                .sign(algorithm);
    }

    /** An attendee's access token: proves workspace, attendee and the workspace's owner. */
    String accessToken(String workspaceId, String ownerId, String attendeeId) {
        return JWT.create()
                .withClaim("id", workspaceId)
                .withClaim("owner", ownerId)
                .withClaim("singningToken", hash(workspaceId + ":" + attendeeId + ":" + salt))
                .withClaim("iat", System.currentTimeMillis() / 1000)
                .sign(algorithm);
    }

    /** The verified claims of a token, or null if it is not a valid token of this server. */
    DecodedJWT verify(String token) {
        try {
            return verifier.verify(token);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether {@code decoded}'s hash matches {@code <middle>} (a PIN or an attendee id) for its
     * workspace id {@code workspaceId}. A missing or malformed hash is a mismatch.
     */
    boolean matches(DecodedJWT decoded, String workspaceId, String middle) {
        String hash = decoded.getClaim("singningToken").asString();
        if (hash == null) return false;
        String password = workspaceId + ":" + middle + ":" + salt;
        String key = hash + "\u0000" + password;
        synchronized (checked) {
            Boolean known = checked.get(key);
            if (known != null) return known;
        }
        boolean ok;
        try {
            ok = OpenBSDBCrypt.checkPassword(hash, truncate(password));
        } catch (RuntimeException e) {
            ok = false;
        }
        synchronized (checked) {
            checked.put(key, ok);
        }
        return ok;
    }

    private String hash(String password) {
        byte[] saltBytes = new byte[16];
        random.nextBytes(saltBytes);
        return OpenBSDBCrypt.generate("2b", truncate(password), saltBytes, cost);
    }

    private static byte[] truncate(String password) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= BCRYPT_MAX_BYTES ? bytes : Arrays.copyOf(bytes, BCRYPT_MAX_BYTES);
    }
}
