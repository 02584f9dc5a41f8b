package io.signalman.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerRelayLatencyTest {
    private static String exposition(long nativeAt50us, long nativeAt1ms, long nativeAll, long pairAll) {
        return """
                # HELP signalman_relay_latency_seconds From a frame's arrival to its hand-off
                # TYPE signalman_relay_latency_seconds histogram
                signalman_relay_latency_seconds_bucket{dialect="native",le="5.0E-5"} %d
                signalman_relay_latency_seconds_bucket{dialect="native",le="0.001"} %d
                signalman_relay_latency_seconds_bucket{dialect="native",le="+Inf"} %d
                signalman_relay_latency_seconds_count{dialect="native"} %d
                signalman_relay_latency_seconds_bucket{dialect="pair",le="5.0E-5"} 0
                signalman_relay_latency_seconds_bucket{dialect="pair",le="0.001"} %d
                signalman_relay_latency_seconds_bucket{dialect="pair",le="+Inf"} %d
                signalman_frames_in_total{dialect="native"} 99.0
                """.formatted(nativeAt50us, nativeAt1ms, nativeAll, nativeAll, pairAll, pairAll);
    }

    @Test
    void theWindowIsTheDifferenceOfTwoReadingsSummedOverDialects() {
        ServerRelayLatency.Snapshot before = ServerRelayLatency.parse(exposition(10, 10, 10, 0));
        ServerRelayLatency.Snapshot after = ServerRelayLatency.parse(exposition(70, 95, 110, 100));
        Map<String, Object> share = ServerRelayLatency.between(before, after);
        // 100 native relays (60 within 50 us, 85 within 1 ms) and 100 pair relays (all within 1 ms).
        assertThat(share).containsEntry("server_relays", 200L);
        assertThat((Double) share.get("within_50us")).isCloseTo(0.30, within(1e-9));
        assertThat((Double) share.get("within_1000us")).isCloseTo(0.925, within(1e-9));
        assertThat(share).doesNotContainKey("within_Infinityus");
    }

    @Test
    void nodesAreSummedBoundByBound() {
        ServerRelayLatency.Snapshot one = ServerRelayLatency.parse(exposition(1, 2, 3, 4));
        ServerRelayLatency.Snapshot other = ServerRelayLatency.parse(exposition(10, 20, 30, 40));
        ServerRelayLatency.Snapshot none = ServerRelayLatency.sum(java.util.List.of());
        ServerRelayLatency.Snapshot both = ServerRelayLatency.sum(java.util.List.of(one, other));
        // Each node: native plus pair per bound; pair has nothing within 50 us.
        assertThat(both.cumulative()).containsEntry(5.0E-5, 11L).containsEntry(0.001, 2L + 4 + 20 + 40)
                .containsEntry(Double.POSITIVE_INFINITY, 3L + 4 + 30 + 40).hasSize(3);
        assertThat(ServerRelayLatency.between(none, both)).containsEntry("server_relays", 77L);
    }

    @Test
    void anEmptyWindowCountsNothingAndClaimsNoFractions() {
        ServerRelayLatency.Snapshot same = ServerRelayLatency.parse(exposition(5, 5, 5, 5));
        assertThat(ServerRelayLatency.between(same, same)).containsOnlyKeys("server_relays").containsEntry("server_relays", 0L);
    }
}
