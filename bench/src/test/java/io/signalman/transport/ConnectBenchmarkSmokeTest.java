package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the connect benchmark from rotting: sets it up as JMH would and runs a few connections
 * through each listener's pipeline, checking that each got its whole exchange. Never timed.
 */
class ConnectBenchmarkSmokeTest {

    @ParameterizedTest
    @ValueSource(strings = {"main", "native"})
    void everyConnectionGetsItsWholeExchange(String listener) {
        ConnectBenchmark benchmark = new ConnectBenchmark();
        benchmark.listener = listener;
        benchmark.setUp();
        try {
            String transcript = benchmark.transcriptOfOneConnection();
            assertThat(transcript).startsWith("HTTP/1.1 101").contains("\"type\":\"welcome\"", "\"type\":\"joined\"");
            // The close echo: an unmasked close frame (0x88) with status 1000 (0x03e8).
            assertThat(transcript).endsWith("\u0088\u0002\u0003\u00e8");
            int first = benchmark.connect();
            assertThat(first).isEqualTo(transcript.length());
            for (int i = 0; i < 3; i++) {
                assertThat(benchmark.connect()).as("connection %d", i + 2).isEqualTo(first);
            }
        } finally {
            benchmark.tearDown();
        }
    }
}
