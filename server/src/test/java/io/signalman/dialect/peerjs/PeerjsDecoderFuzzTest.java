package io.signalman.dialect.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.signalman.dialect.JsJson;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Fuzzes the PeerJS decoder and the relayed frame built from what it accepts. In every build the
 * committed corpus runs as regression tests; with {@code JAZZER_FUZZ=1} Jazzer searches for new
 * inputs (see docs/fuzzing.md).
 *
 * <p>Properties: decoding never throws; an accepted message has one of the six handled types; its
 * relayed frame is one JSON object with exactly the keys {@code type}, {@code src} and, when the
 * input had them, {@code dst} and {@code payload}, in that order; and the frame is canonical
 * (printing it again as JSON.stringify would gives the same bytes), with the payload equal to the
 * input's payload printed the same way.
 */
class PeerjsDecoderFuzzTest {
    private static final List<String> TYPES = List.of(PeerjsDecoder.HEARTBEAT, PeerjsDecoder.OFFER,
            PeerjsDecoder.ANSWER, PeerjsDecoder.CANDIDATE, PeerjsDecoder.LEAVE, PeerjsDecoder.EXPIRE);
    private final PeerjsDecoder decoder = new PeerjsDecoder(32);
    private final JsJson json = new JsJson(64);

    @FuzzTest(maxDuration = "5m")
    void decode(byte[] input) {
        // The transport closes text frames that are not UTF-8 (1007) before a session sees them.
        if (!isUtf8(input)) return;
        PeerjsDecoder.Message message = decoder.decode(input, input.length);
        if (message == null) return;
        assertThat(TYPES).contains(message.type());
        assertThat(TYPES.stream().anyMatch(t -> t == message.type())).isTrue(); // the session compares with ==
        message.hasDestination();

        byte[] frame = PeerjsFrames.relay(message.type(), PeerjsFrames.quote("peer"), message.dst(), message.payload());
        JsonNode parsed = json.parse(frame, 0, frame.length);
        assertThat(parsed).isNotNull();
        assertThat(parsed.isObject()).isTrue();
        List<String> keys = new ArrayList<>();
        for (Iterator<String> names = parsed.fieldNames(); names.hasNext(); ) keys.add(names.next());
        List<String> expected = new ArrayList<>(List.of("type", "src"));
        if (message.dst() != null) expected.add("dst");
        if (message.payload() != null) expected.add("payload");
        assertThat(keys).isEqualTo(expected);
        assertThat(parsed.get("type").textValue()).isEqualTo(message.type());
        assertThat(parsed.get("src").textValue()).isEqualTo("peer");
        assertThat(JsJson.stringifyUtf8(parsed)).isEqualTo(frame);
        if (message.payload() != null) {
            assertThat(JsJson.stringify(parsed.get("payload"))).isEqualTo(JsJson.stringify(message.payload()));
        }
    }

    private static boolean isUtf8(byte[] input) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(input));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
