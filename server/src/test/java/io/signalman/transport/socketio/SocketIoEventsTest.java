package io.signalman.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SocketIoEventsTest {
    private static final String ARGUMENT = "{\"sdp\":\"v=0\\r\\n\",\"name\":\"Zoë \\\"q\\\"\"}";
    private static final byte[] PAYLOAD = SocketIoEvents.event("signal", ARGUMENT.getBytes(StandardCharsets.UTF_8));

    private static SocketIoEvents.RawJson raw() {
        return new SocketIoEvents.RawJson(PAYLOAD, "signal\n".length());
    }

    @Test
    void aPayloadIsTheEventNameALineFeedAndTheArgument() {
        assertThat(new String(PAYLOAD, StandardCharsets.UTF_8)).isEqualTo("signal\n" + ARGUMENT);
    }

    @Test
    void jacksonWritesTheArgumentAsItIsInsideAnArray() throws Exception {
        String written = new ObjectMapper().writeValueAsString(List.of("signal", new RawValue(raw())));
        assertThat(written).isEqualTo("[\"signal\"," + ARGUMENT + "]");
    }

    @Test
    void unquotedFormsAreTheArgumentsBytes() throws Exception {
        byte[] expected = ARGUMENT.getBytes(StandardCharsets.UTF_8);
        assertThat(raw().asUnquotedUTF8()).isEqualTo(expected);
        byte[] buffer = new byte[expected.length + 3];
        assertThat(raw().appendUnquotedUTF8(buffer, 3)).isEqualTo(expected.length);
        assertThat(Arrays.copyOfRange(buffer, 3, buffer.length)).isEqualTo(expected);
        assertThat(raw().appendUnquotedUTF8(new byte[expected.length - 1], 0)).isEqualTo(-1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(raw().writeUnquotedUTF8(out)).isEqualTo(expected.length);
        assertThat(out.toByteArray()).isEqualTo(expected);
        ByteBuffer small = ByteBuffer.allocate(expected.length - 1);
        assertThat(raw().putUnquotedUTF8(small)).isEqualTo(-1);
        char[] chars = new char[ARGUMENT.length()];
        assertThat(raw().appendUnquoted(chars, 0)).isEqualTo(ARGUMENT.length());
        assertThat(new String(chars)).isEqualTo(ARGUMENT);
        assertThat(raw().getValue()).isEqualTo(ARGUMENT);
        assertThat(raw().charLength()).isEqualTo(ARGUMENT.length());
    }

    @Test
    void quotedFormsAreTheArgumentAsAJsonString() {
        // The argument's text as a JSON string's content: quotes and backslashes escaped.
        String quoted = "{\\\"sdp\\\":\\\"v=0\\\\r\\\\n\\\",\\\"name\\\":\\\"Zoë \\\\\\\"q\\\\\\\"\\\"}";
        assertThat(new String(raw().asQuotedUTF8(), StandardCharsets.UTF_8)).isEqualTo(quoted);
        assertThat(new String(raw().asQuotedChars())).isEqualTo(quoted);
    }

    @Test
    void quotedFormsAreTheArgumentAsAJsonStringLikeJacksonsOwn() throws Exception {
        SerializedString reference = new SerializedString(ARGUMENT);
        assertThat(raw().asQuotedChars()).isEqualTo(reference.asQuotedChars());
        assertThat(new String(raw().asQuotedUTF8(), StandardCharsets.UTF_8)).contains("\\\"sdp\\\"")
                .isEqualTo(new String(reference.asQuotedUTF8(), StandardCharsets.UTF_8));
        byte[] buffer = new byte[256];
        int length = raw().appendQuotedUTF8(buffer, 0);
        assertThat(Arrays.copyOf(buffer, length)).isEqualTo(reference.asQuotedUTF8());
        char[] chars = new char[256];
        assertThat(new String(chars, 0, raw().appendQuoted(chars, 0))).isEqualTo(new String(reference.asQuotedChars()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(raw().writeQuotedUTF8(out)).isEqualTo(reference.asQuotedUTF8().length);
        assertThat(out.toByteArray()).isEqualTo(reference.asQuotedUTF8());
        ByteBuffer bytes = ByteBuffer.allocate(256);
        assertThat(raw().putQuotedUTF8(bytes)).isEqualTo(reference.asQuotedUTF8().length);
        assertThat(Arrays.copyOf(bytes.array(), bytes.position())).isEqualTo(reference.asQuotedUTF8());
    }
}
