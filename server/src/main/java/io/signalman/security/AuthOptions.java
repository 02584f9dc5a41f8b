package io.signalman.security;

import io.signalman.core.Switchboard;
import java.nio.file.Path;
import java.util.List;

/**
 * How native clients prove who they are. With no keys configured, authentication is off and peers
 * get random ids; with keys, a {@code token} is verified when given, and demanded when
 * {@code required}.
 *
 * @param required        refuse connections without a valid token
 * @param hmacSecrets     HS256 secrets (several, so that one can be rotated out)
 * @param publicKeyFiles  RS256/ES256 public keys, PEM ({@code BEGIN PUBLIC KEY})
 * @param jwksFile        a JSON Web Key Set file with more public keys, or null
 * @param audience        the {@code aud} a token must name, or null for any
 * @param issuer          the {@code iss} a token must carry, or null for any
 * @param roomsClaim      the claim that lists the rooms a token grants (absent claim: every room)
 * @param duplicatePolicy what a second connection with the same {@code sub} does to the first
 */
public record AuthOptions(
        boolean required,
        List<String> hmacSecrets,
        List<Path> publicKeyFiles,
        Path jwksFile,
        String audience,
        String issuer,
        String roomsClaim,
        Switchboard.DuplicatePolicy duplicatePolicy) {

    /** The claim that grants rooms unless configured otherwise. */
    public static final String DEFAULT_ROOMS_CLAIM = "rooms";

    /** Authentication off: no keys, no tokens. */
    public static AuthOptions off() {
        return new AuthOptions(false, List.of(), List.of(), null, null, null, DEFAULT_ROOMS_CLAIM,
                Switchboard.DuplicatePolicy.REPLACE);
    }

    /** Whether any key is configured, i.e. tokens can be verified at all. */
    public boolean hasKeys() {
        return !hmacSecrets.isEmpty() || !publicKeyFiles.isEmpty() || jwksFile != null;
    }
}
