package io.signalman.dialect.nativeproto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes the native decoder. In every build the committed corpus runs as regression tests; with
 * {@code JAZZER_FUZZ=1} Jazzer searches for new inputs (see docs/fuzzing.md).
 *
 * <p>Properties: decoding never throws; a request it accepts has the fields its type needs; the
 * relayed frame built from its {@code data} span is one valid JSON object whose {@code data} is
 * byte-identical to what the sender wrote.
 */
class NativeDecoderFuzzTest {
    private static final JsonFactory JSON = new JsonFactory();
    private final NativeDecoder decoder = new NativeDecoder(32, 65536, 4096);
    private final NativeRequest request = new NativeRequest();

    @FuzzTest(maxDuration = "5m")
    void decode(byte[] input) throws IOException {
        // The transport rejects text frames that are not UTF-8 (close 1007) before they reach the
        // decoder, and Jackson's skipping does not re-check string bytes, so only UTF-8 is in scope.
        if (!isUtf8(input)) return;
        DecodeError error = decoder.decode(input, input.length, request);
        // Differential: the decoder's own duplicate-key check agrees with Jackson's.
        Reference reference = strictParse(input);
        if (reference == Reference.REPEATS_A_KEY) assertThat(error).isNotNull();
        if (error != null && error.code() == ErrorCode.BAD_JSON) assertThat(reference).isNotEqualTo(Reference.ONE_VALUE);
        if (error != null) {
            assertThat(error.code()).isNotNull();
            assertThat(error.message()).isNotBlank();
            if (error.idJson() != null) assertValidJson(error.idJson().getBytes(StandardCharsets.UTF_8));
            return;
        }
        assertThat(request.type).isNotNull();
        if (request.idJson != null) assertValidJson(request.idJson.getBytes(StandardCharsets.UTF_8));
        switch (request.type) {
            case JOIN -> {
                assertThat(request.room).isNotEmpty().hasSizeLessThanOrEqualTo(NativeDecoder.MAX_ROOM_CHARS);
                if (request.hasMeta()) {
                    byte[] meta = Arrays.copyOfRange(input, request.metaStart, request.metaEnd);
                    assertThat(meta.length).isLessThanOrEqualTo(4096);
                    assertThat(meta[0]).isEqualTo((byte) '{');
                    assertValidJson(meta);
                }
            }
            case LEAVE -> assertThat(request.room).isNotEmpty();
            case SIGNAL, BROADCAST -> {
                assertThat(request.hasData()).isTrue();
                byte[] data = Arrays.copyOfRange(input, request.dataStart, request.dataEnd);
                assertValidJson(data);
                byte[] prefix = NativeFrames.signalPrefix(NativeFrames.quote("peer"),
                        request.room == null ? null : NativeFrames.quote(request.room));
                byte[] frame = NativeFrames.wrap(prefix, input, request.dataStart, request.dataEnd);
                assertValidJson(frame);
                byte[] relayedData = Arrays.copyOfRange(frame, prefix.length, frame.length - 1);
                assertThat(relayedData).isEqualTo(data);
            }
            case ICE, PING -> { }
        }
    }

    private static boolean isUtf8(byte[] input) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(input));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private enum Reference { ONE_VALUE, REPEATS_A_KEY, OTHER }

    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** What Jackson, checking duplicates itself, makes of the whole input. */
    private static Reference strictParse(byte[] input) {
        try (JsonParser p = STRICT.createParser(input)) {
            JsonToken first = p.nextToken();
            if (first == null) return Reference.OTHER;
            p.skipChildren();
            if (first.isScalarValue()) p.getText();
            return p.nextToken() == null ? Reference.ONE_VALUE : Reference.OTHER;
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            return String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field") ? Reference.REPEATS_A_KEY : Reference.OTHER;
        } catch (IOException e) {
            return Reference.OTHER;
        }
    }

    /** Exactly one JSON value, nothing after it. */
    private static void assertValidJson(byte[] bytes) throws IOException {
        try (JsonParser p = JSON.createParser(bytes)) {
            JsonToken first = p.nextToken();
            assertThat(first).isNotNull();
            p.skipChildren();
            if (first.isScalarValue()) p.getText();
            assertThat(p.nextToken()).isNull();
        }
    }
}
