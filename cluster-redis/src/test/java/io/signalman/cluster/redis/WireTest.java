package io.signalman.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireTest {
    @Test
    void fieldsAndTheRawTailRoundTrip() {
        byte[] payload = "{\"a\": 2.50, \"é\":\"x:y\"}".getBytes(StandardCharsets.UTF_8);
        byte[] message = new Wire.Writer(4).field("P").field("réalm").field("").field("10:tricky").finish(payload);
        assertThat(new String(message, StandardCharsets.UTF_8)).startsWith("1:P6:réalm0:9:10:tricky{");
        Wire.Reader reader = new Wire.Reader(message);
        assertThat(reader.text()).isEqualTo("P");
        assertThat(reader.text()).isEqualTo("réalm");
        assertThat(reader.text()).isEmpty();
        assertThat(reader.text()).isEqualTo("10:tricky");
        assertThat(reader.tail()).isEqualTo(payload);
        assertThat(reader.hasMore()).isFalse();
    }

    @Test
    void malformedMessagesAreRefused() {
        assertThatThrownBy(() -> new Wire.Reader("5:abc".getBytes(StandardCharsets.US_ASCII)).text())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Wire.Reader("x:abc".getBytes(StandardCharsets.US_ASCII)).text())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Wire.Reader("12".getBytes(StandardCharsets.US_ASCII)).text())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
