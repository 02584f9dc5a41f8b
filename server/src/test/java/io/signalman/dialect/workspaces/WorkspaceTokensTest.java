package io.signalman.dialect.workspaces;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Tokens as the original Node server made them. The fixtures below were made once with the npm
 * packages the original used for this ({@code jsonwebtoken} for the HS256 JWT, {@code bcryptjs} for
 * the {@code $2b$} hash), secret {@value #SECRET}, so they check Signalman against those libraries
 * rather than against itself.
 */
class WorkspaceTokensTest {
    static final String SECRET = "compat-secret";
    static final String SALT = "compat-salt";
    static final String WORKSPACE = "_Wk5pQ2rT8aZ";
    static final String OWNER = "_At7uY3iO1pL";

    /** {id, singningToken: bcrypt("_Wk5pQ2rT8aZ:1234:compat-salt"), iat}: an invitation with PIN 1234. */
    static final String NODE_INVITE = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6Il9XazVwUTJyVDhhWiIsInNpbmduaW5nVG9rZW4iOiIkMmIkMTAkWjZNT09RMWhRTjVremdoRnRFTDJST0o0SWQzcEJNUWZsMUwxaUpxeEo1dWVORXRCNVdab2EiLCJpYXQiOjE3OTYzODM2NDl9.9UOUO7B2JzMS4JmMkr4iLfDQTM88nQfVY58k3LzmB5Y";
    /** {id, owner, singningToken: bcrypt("_Wk5pQ2rT8aZ:_At7uY3iO1pL:compat-salt"), iat}: the owner's access token. */
    static final String NODE_ACCESS = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6Il9XazVwUTJyVDhhWiIsIm93bmVyIjoiX0F0N3VZM2lPMXBMIiwic2luZ25pbmdUb2tlbiI6IiQyYiQxMCRsMTRRbmFLOEpJZ2pSTHc1MldVanZ1eS4zSUMxMlVqaVBVek5tbi5FQjVTUGx5S0ZiTUt4UyIsImlhdCI6MTc5NjM4MzY0OX0.GqegYAjcXTr-uuZ4URsyPMyfkUrotYZnMdH8RjybzuU";
    /** The same access token with {@link #LONG_SALT}: its password is longer than bcrypt's 72 bytes. */
    static final String NODE_ACCESS_LONG_SALT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6Il9XazVwUTJyVDhhWiIsIm93bmVyIjoiX0F0N3VZM2lPMXBMIiwic2luZ25pbmdUb2tlbiI6IiQyYiQxMCRGdU8vQXhZei55S2FRcjh2emlrYVhlM2JwWnhJYjRDaXRWYlRpcExWOVh2SUZtMVltRjhTbSIsImlhdCI6MTc5NjM4MzY1M30.J5Ai36HlGpANFrj24qHnCtd2Kdoen1kzVam8yQF6SPQ";
    static final String LONG_SALT = "s\u00e4lz-\uD83D\uDD11-" + "L".repeat(80);
    /** {id, owner, iat} without singningToken. */
    static final String NODE_ACCESS_WITHOUT_HASH = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6Il9XazVwUTJyVDhhWiIsIm93bmVyIjoiX0F0N3VZM2lPMXBMIiwiaWF0IjoxNzk2MzgzNjUzfQ.sjYhS2mVzW18io2d--79Fk_B1htvUph9B4bzMmQ7aFI";

    private final WorkspaceTokens tokens = new WorkspaceTokens(SECRET, SALT);

    @Test
    void acceptsAnInvitationMadeByJsonwebtokenAndBcryptjs() {
        DecodedJWT invite = tokens.verify(NODE_INVITE);
        assertThat(invite).isNotNull();
        assertThat(invite.getClaim("id").asString()).isEqualTo(WORKSPACE);
        assertThat(tokens.matches(invite, WORKSPACE, "1234")).isTrue();
        assertThat(tokens.matches(invite, WORKSPACE, "9999")).isFalse();
        assertThat(tokens.matches(invite, WORKSPACE, "")).isFalse();
        assertThat(tokens.matches(invite, "_Other00000", "1234")).isFalse();
    }

    @Test
    void acceptsAnAccessTokenMadeByJsonwebtokenAndBcryptjs() {
        DecodedJWT access = tokens.verify(NODE_ACCESS);
        assertThat(access).isNotNull();
        assertThat(access.getClaim("owner").asString()).isEqualTo(OWNER);
        assertThat(tokens.matches(access, WORKSPACE, OWNER)).isTrue();
        assertThat(tokens.matches(access, WORKSPACE, "_Someone0000")).isFalse();
        // asked twice: the second answer comes from the cache and must be the same
        assertThat(tokens.matches(access, WORKSPACE, OWNER)).isTrue();
        assertThat(tokens.matches(access, WORKSPACE, "_Someone0000")).isFalse();
    }

    @Test
    void passwordsLongerThan72BytesAreCutAsBcryptDid() {
        WorkspaceTokens longSalt = new WorkspaceTokens(SECRET, LONG_SALT);
        DecodedJWT access = longSalt.verify(NODE_ACCESS_LONG_SALT);
        assertThat(longSalt.matches(access, WORKSPACE, OWNER)).isTrue();
        assertThat(longSalt.matches(access, WORKSPACE, "_At7uY3iO1pX")).isFalse();
    }

    @Test
    void rejectsTokensOfAnotherSecretAndGarbage() {
        WorkspaceTokens other = new WorkspaceTokens("another-secret", SALT);
        assertThat(other.verify(NODE_ACCESS)).isNull();
        assertThat(tokens.verify("not a token")).isNull();
        assertThat(tokens.verify("")).isNull();
        String tampered = NODE_ACCESS.substring(0, NODE_ACCESS.length() - 2) + "xx";
        assertThat(tokens.verify(tampered)).isNull();
    }

    @Test
    void aMissingOrMalformedHashIsAMismatchNotAnError() {
        DecodedJWT noHash = tokens.verify(NODE_ACCESS_WITHOUT_HASH);
        assertThat(noHash).isNotNull();
        assertThat(tokens.matches(noHash, WORKSPACE, OWNER)).isFalse();
        String junkHash = JWT.create().withClaim("id", WORKSPACE).withClaim("singningToken", "$2b$10$short")
                .sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(SECRET));
        assertThat(tokens.matches(tokens.verify(junkHash), WORKSPACE, OWNER)).isFalse();
    }

    @Test
    void issuedTokensCarryTheOriginalsClaims() {
        long before = Instant.now().getEpochSecond();
        DecodedJWT access = JWT.decode(tokens.accessToken(WORKSPACE, OWNER, "_Guest000000"));
        assertThat(access.getAlgorithm()).isEqualTo("HS256");
        assertThat(access.getType()).isEqualTo("JWT");
        assertThat(access.getClaims().keySet()).containsExactlyInAnyOrder("id", "owner", "singningToken", "iat");
        assertThat(access.getClaim("id").asString()).isEqualTo(WORKSPACE);
        assertThat(access.getClaim("owner").asString()).isEqualTo(OWNER);
        assertThat(access.getClaim("singningToken").asString()).startsWith("$2b$10$").hasSize(60);
        assertThat(access.getClaim("iat").asLong()).isBetween(before, Instant.now().getEpochSecond());
        assertThat(tokens.matches(tokens.verify(access.getToken()), WORKSPACE, "_Guest000000")).isTrue();
        assertThat(tokens.matches(tokens.verify(access.getToken()), WORKSPACE, OWNER)).isFalse();

        DecodedJWT invite = JWT.decode(tokens.workspaceToken(WORKSPACE, "4321"));
        assertThat(invite.getClaims().keySet()).containsExactlyInAnyOrder("id", "singningToken", "iat");
        assertThat(tokens.matches(tokens.verify(invite.getToken()), WORKSPACE, "4321")).isTrue();
        assertThat(tokens.matches(tokens.verify(invite.getToken()), WORKSPACE, "1234")).isFalse();
    }

    @Test
    void tokensOfOneServerAreValidAtAnotherWithTheSameSecretAndSalt() {
        String access = tokens.accessToken(WORKSPACE, OWNER, OWNER);
        WorkspaceTokens restarted = new WorkspaceTokens(SECRET, SALT);
        assertThat(restarted.matches(restarted.verify(access), WORKSPACE, OWNER)).isTrue();
        WorkspaceTokens otherSalt = new WorkspaceTokens(SECRET, "other-salt");
        assertThat(otherSalt.matches(otherSalt.verify(access), WORKSPACE, OWNER)).isFalse();
    }
}
