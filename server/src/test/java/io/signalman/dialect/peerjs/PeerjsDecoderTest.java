package io.signalman.dialect.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The decoder against what the PeerJS server did with each kind of frame. */
class PeerjsDecoderTest {
    private final PeerjsDecoder decoder = new PeerjsDecoder(32);

    private PeerjsDecoder.Message decode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return decoder.decode(bytes, bytes.length);
    }

    private String relay(String text) {
        PeerjsDecoder.Message message = decode(text);
        return new String(PeerjsFrames.relay(message.type(), "\"me\"", message.dst(), message.payload()),
                StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HEARTBEAT", "OFFER", "ANSWER", "CANDIDATE", "LEAVE", "EXPIRE"})
    void knowsTheSixTypesTheOriginalHandled(String type) {
        PeerjsDecoder.Message message = decode("{\"type\":\"" + type + "\",\"dst\":\"b\"}");
        assertThat(message.type()).isEqualTo(type);
        assertThat(message.dst().textValue()).isEqualTo("b");
        assertThat(message.payload()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{", "null", "42", "\"OFFER\"", "[{\"type\":\"OFFER\"}]", "{}",
        "{\"type\":\"offer\",\"dst\":\"b\"}", "{\"type\":\"OPEN\"}", "{\"type\":\"ID-TAKEN\"}", "{\"type\":\"ERROR\"}",
        "{\"type\":[\"OFFER\"]}", "{\"type\":null}", "{\"type\":\"OFFER\"} x", "\uFEFF{\"type\":\"OFFER\"}"})
    void ignoresWhatTheOriginalIgnored(String text) {
        assertThat(decode(text)).as(text).isNull();
    }

    @Test
    void theLastOfRepeatedKeysCounts() {
        assertThat(decode("{\"type\":\"NOPE\",\"type\":\"OFFER\"}").type()).isEqualTo(PeerjsDecoder.OFFER);
        assertThat(decode("{\"type\":\"OFFER\",\"type\":\"NOPE\"}")).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"b\"|true", "\"\"|false", "null|false", "0|false", "-0|false", "0.0|false", "1|true", "false|false",
        "true|true", "[]|true", "{}|true",
    })
    void aFalsyDestinationCountsAsNone(String dst, boolean truthy) {
        assertThat(decode("{\"type\":\"OFFER\",\"dst\":" + dst + "}").hasDestination()).isEqualTo(truthy);
    }

    @Test
    void anAbsentDestinationIsNone() {
        assertThat(decode("{\"type\":\"LEAVE\"}").hasDestination()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // src is the server's; other keys go; the order is type, src, dst, payload
        "{\"payload\":{\"a\":1},\"dst\":\"b\",\"src\":\"forged\",\"x\":1,\"type\":\"OFFER\"}"
            + "|{\"type\":\"OFFER\",\"src\":\"me\",\"dst\":\"b\",\"payload\":{\"a\":1}}",
        // absent keys are left out, null ones kept
        "{\"type\":\"ANSWER\",\"dst\":\"b\"}|{\"type\":\"ANSWER\",\"src\":\"me\",\"dst\":\"b\"}",
        "{\"type\":\"ANSWER\",\"dst\":\"b\",\"payload\":null}|{\"type\":\"ANSWER\",\"src\":\"me\",\"dst\":\"b\",\"payload\":null}",
        // the payload as JSON.stringify prints it
        "{\"type\":\"CANDIDATE\",\"dst\":\"b\",\"payload\":{\"z\":1.50,\"10\":\"\\u00e9\",\"2\":-0}}"
            + "|{\"type\":\"CANDIDATE\",\"src\":\"me\",\"dst\":\"b\",\"payload\":{\"2\":0,\"10\":\"é\",\"z\":1.5}}",
        // a destination that is not a string is printed as it came
        "{\"type\":\"OFFER\",\"dst\":42}|{\"type\":\"OFFER\",\"src\":\"me\",\"dst\":42}",
    })
    void relaysAsTheOriginalPrintedThem(String input, String expected) {
        assertThat(relay(input)).isEqualTo(expected);
    }

    @Test
    void serverFramesMatchTheOriginals() {
        assertThat(new String(PeerjsFrames.OPEN, StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"OPEN\"}");
        assertThat(new String(PeerjsFrames.error(PeerjsFrames.INVALID_KEY), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Invalid key provided\"}}");
        assertThat(new String(PeerjsFrames.expire("\"ghost\"", PeerjsFrames.quote("a\"b")), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"ghost\",\"dst\":\"a\\\"b\"}");
    }
}
