package io.signalman.ice;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.config.IceServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class IceBrokerTest {
    private static final Clock NOW = Clock.fixed(Instant.ofEpochSecond(1_733_000_000L), ZoneOffset.UTC);
    private static final List<IceServer> STATIC = List.of(IceServer.parse("stun:stun.example.org:3478"));

    @Test
    void staticEntriesAloneNeverExpire() {
        IceGrant grant = IceBroker.of(STATIC, TurnOptions.off(), NOW).grant("p1");
        assertThat(grant.servers()).isEqualTo(STATIC);
        assertThat(grant.ttlSeconds()).isZero();
    }

    @Test
    void mintedCredentialsComeAfterTheStaticEntriesWithTheirTtl() {
        TurnOptions turn = new TurnOptions(List.of("turn:turn.example.org:3478"), List.of("s1", "s0"), 600);
        IceGrant grant = IceBroker.of(STATIC, turn, NOW).grant("p1");
        assertThat(grant.servers()).hasSize(2);
        assertThat(grant.servers().get(0)).isEqualTo(STATIC.get(0));
        assertThat(grant.servers().get(1).username()).isEqualTo("1733000600:p1");
        assertThat(grant.ttlSeconds()).isEqualTo(600);
    }

    @Test
    void aRefreshIsDueAtFourFifthsOfTheTtl() {
        assertThat(new IceGrant(STATIC, 86_400).refreshDelayMillis()).isEqualTo(69_120_000L);
        assertThat(new IceGrant(STATIC, 2).refreshDelayMillis()).isEqualTo(1_600L);
        assertThat(new IceGrant(STATIC, 1).refreshDelayMillis()).isEqualTo(800L);
    }

    @Test
    void noTwilioUnlessConfigured() throws Exception {
        IceBroker broker = IceBroker.of(STATIC, TurnOptions.off(), NOW);
        assertThat(broker.hasTwilio()).isFalse();
        assertThat(broker.twilioServers().get()).isNull();
        assertThat(broker.withTwilio("AC1", "token", "http://127.0.0.1:9").hasTwilio()).isTrue();
    }
}
