package io.signalman.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code signalman token}: mints a token for the native protocol, for development and tests. */
@Command(name = "token", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints a signed JWT that a native client passes as ?token=.",
                "Signs with HS256 and --auth-secret (or SIGNALMAN_AUTH_SECRET, as the server reads it), or with"
                        + " RS256/ES256 and --private-key."})
public final class TokenCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--sub", required = true, description = "The peer id the token proves.")
    String subject;

    @Option(names = "--auth-secret", paramLabel = "SECRET", split = ",", description = "HS256 secret (the first is used).")
    List<String> secrets = new ArrayList<>();

    @Option(names = "--private-key", paramLabel = "PEM", description = "RSA or EC private key (PKCS#8 PEM) to sign with instead.")
    Path privateKey;

    @Option(names = "--rooms", split = ",", paramLabel = "ROOM", description = "Rooms the token grants ('name*' for a prefix); default: every room.")
    List<String> rooms;

    @Option(names = "--rooms-claim", defaultValue = AuthOptions.DEFAULT_ROOMS_CLAIM, description = "Claim that carries --rooms (default: ${DEFAULT-VALUE}).")
    String roomsClaim;

    @Option(names = "--ttl-seconds", defaultValue = "3600", description = "Lifetime (default: ${DEFAULT-VALUE}).")
    long ttlSeconds;

    @Option(names = "--audience", description = "The 'aud' claim.")
    String audience;

    @Option(names = "--issuer", description = "The 'iss' claim.")
    String issuer;

    @Override
    public Integer call() {
        String token = mint();
        spec.commandLine().getOut().println(token);
        spec.commandLine().getOut().flush();
        return 0;
    }

    String mint() {
        if (subject.isEmpty() || subject.length() > TokenVerifier.MAX_SUBJECT_LENGTH) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sub must be 1 to " + TokenVerifier.MAX_SUBJECT_LENGTH + " characters");
        }
        if (ttlSeconds <= 0) throw new CommandLine.ParameterException(spec.commandLine(), "--ttl-seconds must be positive");
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(ttlSeconds)));
        if (audience != null) claims.audience(audience);
        if (issuer != null) claims.issuer(issuer);
        if (rooms != null) claims.claim(roomsClaim, List.copyOf(rooms));
        try {
            JWSAlgorithm algorithm;
            JWSSigner signer;
            if (privateKey != null) {
                PrivateKey key = PemKeys.readPrivate(privateKey);
                if (key instanceof ECPrivateKey ec) {
                    algorithm = JWSAlgorithm.ES256;
                    signer = new ECDSASigner(ec);
                } else {
                    algorithm = JWSAlgorithm.RS256;
                    signer = new RSASSASigner(key);
                }
            } else {
                String secret = secrets.stream().filter(s -> !s.isBlank()).findFirst().orElseThrow(() ->
                        new CommandLine.ParameterException(spec.commandLine(), "give --auth-secret or --private-key"));
                algorithm = JWSAlgorithm.HS256;
                signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
            }
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).build(), claims.build());
            jwt.sign(signer);
            return jwt.serialize();
        } catch (IOException | JOSEException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot sign: " + e.getMessage());
        }
    }
}
