package io.signalman.dialect.nativeproto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Repeated keys anywhere in a frame are {@code bad-json} (docs/protocol.md); keys that only look alike are not. */
class NativeDecoderTest {
    private final NativeDecoder decoder = new NativeDecoder(32, 65536, 4096);
    private final NativeRequest request = new NativeRequest();

    private DecodeError decode(String frame) {
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        return decoder.decode(bytes, bytes.length, request);
    }

    private static String signal(String data) {
        return "{\"type\":\"signal\",\"to\":\"p\",\"data\":" + data + "}";
    }

    /** An object with keys k0 .. k(n-1), then the extra key if any. */
    private static String object(int n, String extraKey) {
        String keys = IntStream.range(0, n).mapToObj(i -> "\"k" + i + "\":" + i).collect(Collectors.joining(","));
        return "{" + keys + (extraKey == null ? "" : ",\"" + extraKey + "\":true") + "}";
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"ping\",\"type\":\"ping\"}",
        "{\"type\":\"signal\",\"to\":\"p\",\"data\":{},\"to\":\"q\"}",
        "{\"type\":\"signal\",\"to\":\"p\",\"data\":{\"a\":1,\"b\":2,\"a\":3}}",
        "{\"type\":\"signal\",\"to\":\"p\",\"data\":{\"x\":[{\"k\":1,\"k\":2}]}}",
        "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"n\":1,\"n\":1}}",
        "{\"type\":\"ping\",\"id\":{\"a\":1,\"a\":1}}",
        "{\"type\":\"ping\",\"other\":{\"a\":{\"b\":1,\"b\":2}}}",
        "{\"type\":{\"a\":1,\"a\":2}}",
        "[{\"a\":1,\"a\":2}]",
    })
    void aRepeatedKeyIsBadJson(String frame) {
        DecodeError error = decode(frame);
        assertThat(error).isNotNull();
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_JSON);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[{\"k\":1},{\"k\":2}]",
        "{\"k\":{\"k\":{\"k\":1}}}",
        "{\"a\":{\"b\":1},\"b\":{\"a\":2}}",
        "{\"type\":\"offer\",\"sdp\":\"v=0\"}",
    })
    void keysInDifferentObjectsMayRepeat(String data) {
        assertThat(decode(signal(data))).isNull();
        assertThat(request.type).isEqualTo(NativeRequest.Type.SIGNAL);
    }

    @Test
    void largeObjectsAreCheckedAsWellAsSmallOnes() {
        int big = DuplicateKeys.SCAN_LIMIT * 3;
        assertThat(decode(signal(object(big, null)))).isNull();
        assertThat(decode(signal(object(big, "k2"))).code()).isEqualTo(ErrorCode.BAD_JSON);
        assertThat(decode(signal(object(big, "k" + (big - 1)))).code()).isEqualTo(ErrorCode.BAD_JSON);
        // The same keys again in a sibling object, and at the outer level once the big one is closed.
        assertThat(decode(signal("[" + object(big, null) + "," + object(big, null) + "]"))).isNull();
        assertThat(decode(signal("{\"inner\":" + object(big, null) + ",\"k0\":1,\"k1\":2}"))).isNull();
        assertThat(decode(signal("{\"inner\":" + object(big, null) + ",\"k0\":1,\"k0\":2}")).code())
                .isEqualTo(ErrorCode.BAD_JSON);
    }

    @Test
    void aFrameAfterARejectedOneStartsClean() {
        assertThat(decode(signal("{\"a\":{\"b\":{\"c\":1,\"c\":2")).code()).isEqualTo(ErrorCode.BAD_JSON);
        assertThat(decode(signal("{\"a\":{\"b\":{\"c\":1,\"c\":2}}}")).code()).isEqualTo(ErrorCode.BAD_JSON);
        assertThat(decode(signal("{\"c\":1,\"b\":{\"c\":2}}"))).isNull();
        assertThat(decode("{\"type\":\"ping\",\"id\":\"c\"}")).isNull();
    }

    @Test
    void theRelayedDataSpanIsExactlyWhatWasSent() {
        String data = "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\",\"n\":[1,{\"m\":null}]}";
        String frame = signal(data);
        assertThat(decode(frame)).isNull();
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        assertThat(new String(bytes, request.dataStart, request.dataEnd - request.dataStart, StandardCharsets.UTF_8))
                .isEqualTo(data);
    }
}
