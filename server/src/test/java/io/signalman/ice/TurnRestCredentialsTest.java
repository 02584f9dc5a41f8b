package io.signalman.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalman.config.IceServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnRestCredentialsTest {
    private static final Clock NOW = Clock.fixed(Instant.ofEpochSecond(1_733_000_000L), ZoneOffset.UTC);
    private static final List<String> URLS = List.of("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349");

    /*
     * The expected credentials were computed outside Java, with OpenSSL:
     *   printf %s '1733086400:ecXhOkA94V' | openssl dgst -sha1 -hmac 'correct-horse-battery' -binary | base64
     * (hex digest f3f90fff0f2ebbee165748a00778b2c23e0db9d7).
     */
    private static final String NEW_SECRET = "correct-horse-battery";
    private static final String OLD_SECRET = "old-secret-2025";

    private static TurnRestCredentials minter(List<String> secrets, long ttlSeconds, Clock clock) {
        return new TurnRestCredentials(new TurnOptions(URLS, secrets, ttlSeconds), clock);
    }

    @Test
    void usernameIsExpiryColonUserAndCredentialIsBase64HmacSha1() {
        IceServer server = minter(List.of(NEW_SECRET), 86_400, NOW).mint("ecXhOkA94V");
        assertThat(server.urls()).isEqualTo(URLS);
        assertThat(server.username()).isEqualTo("1733086400:ecXhOkA94V");
        assertThat(server.credential()).isEqualTo("8/kP/w8uu+4WV0igB3iywj4Nudc=");
    }

    @Test
    void theUserIsSignedAsUtf8() {
        // printf %s '1733000060:zoë' | openssl dgst -sha1 -hmac 'correct-horse-battery' -binary | base64
        IceServer server = minter(List.of(NEW_SECRET), 60, NOW).mint("zoë");
        assertThat(server.username()).isEqualTo("1733000060:zoë");
        assertThat(server.credential()).isEqualTo("QzU6T0nGr1NnvCV0YRpQnXJQEnc=");
    }

    @Test
    void rotationMintsWithTheFirstSecretOnly() {
        // printf %s '1733086400:ecXhOkA94V' | openssl dgst -sha1 -hmac 'old-secret-2025' -binary | base64
        assertThat(minter(List.of(NEW_SECRET, OLD_SECRET), 86_400, NOW).mint("ecXhOkA94V").credential())
                .isEqualTo("8/kP/w8uu+4WV0igB3iywj4Nudc=");
        assertThat(minter(List.of(OLD_SECRET, NEW_SECRET), 86_400, NOW).mint("ecXhOkA94V").credential())
                .isEqualTo("03Lj90NFAq7iqaXTWqlgCKyguvo=");
    }

    @Test
    void theExpiryMovesWithTheClockAndTheTtl() {
        Clock later = Clock.offset(NOW, java.time.Duration.ofSeconds(3_600));
        assertThat(minter(List.of(NEW_SECRET), 86_400, later).mint("a").username()).isEqualTo("1733090000:a");
        assertThat(minter(List.of(NEW_SECRET), 2, NOW).mint("a").username()).isEqualTo("1733000002:a");
        assertThat(minter(List.of(NEW_SECRET), 2, NOW).ttlSeconds()).isEqualTo(2);
        // A part of a second counts as a whole one, so a credential is never valid for less than the TTL.
        Clock midSecond = Clock.offset(NOW, java.time.Duration.ofMillis(1));
        assertThat(minter(List.of(NEW_SECRET), 2, midSecond).mint("a").username()).isEqualTo("1733000003:a");
        // Two users at the same instant get different credentials.
        TurnRestCredentials minter = minter(List.of(NEW_SECRET), 60, NOW);
        assertThat(minter.mint("a").credential()).isNotEqualTo(minter.mint("b").credential());
    }

    @Test
    void optionsThatCannotMintAreRefused() {
        assertThatThrownBy(() -> new TurnOptions(URLS, List.of(), 60)).hasMessageContaining("--turn-secret");
        assertThatThrownBy(() -> new TurnOptions(List.of(), List.of(NEW_SECRET), 60)).hasMessageContaining("--turn-url");
        assertThatThrownBy(() -> new TurnOptions(URLS, List.of(NEW_SECRET), 0)).hasMessageContaining("--turn-ttl-seconds");
        assertThatThrownBy(() -> new TurnOptions(List.of("stun:x.example:3478"), List.of(NEW_SECRET), 60))
                .hasMessageContaining("turn: or turns:");
        assertThatThrownBy(() -> new TurnOptions(URLS, List.of(""), 60)).hasMessageContaining("empty");
        assertThat(new TurnOptions(URLS, List.of(NEW_SECRET), 60).toString()).doesNotContain(NEW_SECRET);
    }
}
