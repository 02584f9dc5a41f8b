package io.signalman.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.signalman.core.Switchboard;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzzes the native token check with arbitrary query values. Property: the verifier either rejects
 * with {@link TokenRejected} (never another exception) or, for a token it accepts, yields an
 * identity with a subject within the length limit; random input must never be accepted.
 */
class TokenVerifierFuzzTest {
    private static final TokenVerifier VERIFIER = TokenVerifier.create(new AuthOptions(true,
            List.of("fuzzing-secret-that-is-long-enough-32"), List.of(), null, null, null, "rooms",
            Switchboard.DuplicatePolicy.REPLACE));

    @FuzzTest(maxDuration = "5m")
    void verify(byte[] input) {
        String token = new String(input, StandardCharsets.UTF_8);
        try {
            Identity identity = VERIFIER.verify(token);
            throw new AssertionError("an unsigned input was accepted as " + identity);
        } catch (TokenRejected rejected) {
            assertThat(rejected.reason()).isIn("missing", "malformed", "expired", "bad-signature", "invalid");
        }
    }
}
