package io.signalman.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies the JWTs native clients present: HS256 against the configured secrets, RS256 and ES256
 * against the configured public keys. A key only verifies the algorithm family it belongs to, so an
 * RSA public key can never be abused as an HMAC secret. Tokens must carry {@code sub} and {@code exp}.
 * Thread-safe; verification is CPU work only (no I/O after construction).
 */
public final class TokenVerifier {
    /** Peer ids are sent in every relayed frame, so a token's subject is kept short. */
    static final int MAX_SUBJECT_LENGTH = 128;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String roomsClaim;

    private TokenVerifier(List<JWK> keys, AuthOptions options) {
        this.roomsClaim = options.roomsClaim();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(
                Set.of(JWSAlgorithm.HS256, JWSAlgorithm.RS256, JWSAlgorithm.ES256),
                new ImmutableJWKSet<>(new JWKSet(keys))));
        JWTClaimsSet exact = options.issuer() == null ? null : new JWTClaimsSet.Builder().issuer(options.issuer()).build();
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                options.audience() == null ? null : Set.of(options.audience()), exact, Set.of("sub", "exp"), null);
        claims.setMaxClockSkew(5);
        processor.setJWTClaimsSetVerifier(claims);
    }

    /**
     * Loads the keys named by the options.
     *
     * @return a verifier, or null when no key is configured (authentication off)
     * @throws IllegalArgumentException with one line for the operator when a key cannot be used
     */
    public static TokenVerifier create(AuthOptions options) {
        if (!options.hasKeys()) return null;
        List<JWK> keys = new ArrayList<>();
        for (String secret : options.hmacSecrets()) {
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < 32) throw new IllegalArgumentException("an HS256 secret must be at least 32 bytes long");
            keys.add(new OctetSequenceKey.Builder(bytes).build());
        }
        for (Path file : options.publicKeyFiles()) {
            try {
                keys.add(toJwk(PemKeys.readPublic(file)));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot use public key " + file + ": " + e.getMessage());
            }
        }
        if (options.jwksFile() != null) {
            try {
                JWKSet set = JWKSet.load(options.jwksFile().toFile()).toPublicJWKSet();
                keys.addAll(set.getKeys());
            } catch (IOException | ParseException e) {
                throw new IllegalArgumentException("cannot read JWKS file " + options.jwksFile() + ": " + e.getMessage());
            }
        }
        return new TokenVerifier(keys, options);
    }

    static JWK toJwk(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) return new RSAKey.Builder(rsa).build();
        if (key instanceof ECPublicKey ec) return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
        throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
    }

    /** The identity a token proves, or why it proves none. */
    public Identity verify(String token) throws TokenRejected {
        if (token == null || token.isEmpty()) throw new TokenRejected("missing", "a token is required");
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new TokenRejected("malformed", "the token is not a JWT");
        } catch (ExpiredJWTException e) {
            throw new TokenRejected("expired", "the token has expired");
        } catch (BadJWSException e) {
            throw new TokenRejected("bad-signature", "the token's signature does not verify");
        } catch (BadJOSEException e) {
            throw new TokenRejected("invalid", "the token is not valid: " + e.getMessage());
        } catch (JOSEException e) {
            throw new TokenRejected("invalid", "the token cannot be verified: " + e.getMessage());
        }
        String subject = claims.getSubject();
        if (subject.isEmpty() || subject.length() > MAX_SUBJECT_LENGTH) {
            throw new TokenRejected("invalid", "the token's sub must be 1 to " + MAX_SUBJECT_LENGTH + " characters");
        }
        return new Identity(subject, rooms(claims));
    }

    private List<String> rooms(JWTClaimsSet claims) throws TokenRejected {
        Object value = claims.getClaim(roomsClaim);
        if (value == null) return null;
        if (!(value instanceof List<?> list)) throw new TokenRejected("invalid", "the token's " + roomsClaim + " must be a list");
        Set<String> seen = new HashSet<>();
        List<String> rooms = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String room)) throw new TokenRejected("invalid", "the token's " + roomsClaim + " must hold strings");
            if (seen.add(room)) rooms.add(room);
        }
        return List.copyOf(rooms);
    }
}
