package io.signalman.dialect.nativeproto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the JMH benchmarks from rotting: sets each one up as JMH would and runs every benchmark
 * method a few times, checking that it did its work (a decoded span, deliveries, relayed bytes).
 * Never timed.
 */
class NativeRelayBenchmarkSmokeTest {

    @ParameterizedTest
    @ValueSource(ints = {200, 1500})
    void everyBenchmarkRuns(int payload) {
        NativeRelayBenchmark benchmark = new NativeRelayBenchmark();
        benchmark.payload = payload;
        benchmark.setUp();
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(benchmark.decode()).isGreaterThan(payload);
                assertThat(benchmark.route()).isEqualTo(i + 1);
                assertThat(benchmark.relay()).isGreaterThan(payload);
            }
        } finally {
            benchmark.tearDown();
        }
    }
}
