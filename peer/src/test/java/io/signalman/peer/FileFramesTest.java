package io.signalman.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FileFramesTest {

    @Test
    void startCarriesNameAndSizeAfterItsKindByte() {
        byte[] frame = FileFrames.start("report é.pdf", 10_485_760L);
        assertThat(frame[0]).isEqualTo(FileFrames.START);
        assertThat(new String(frame, 1, frame.length - 1, StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"report é.pdf\",\"size\":10485760}");
        FileFrames.Frame decoded = FileFrames.decode(frame);
        assertThat(decoded.kind()).isEqualTo(FileFrames.START);
        assertThat(decoded.json().get("name").asText()).isEqualTo("report é.pdf");
        assertThat(decoded.json().get("size").asLong()).isEqualTo(10_485_760L);
        assertThat(decoded.payload()).isNull();
    }

    @Test
    void chunkIsTheKindByteThenTheRawBytes() {
        byte[] data = {9, 8, 7, 6, 5};
        byte[] frame = FileFrames.chunk(data, 1, 3);
        assertThat(frame).containsExactly(FileFrames.CHUNK, 8, 7, 6);
        FileFrames.Frame decoded = FileFrames.decode(frame);
        assertThat(decoded.payload()).containsExactly(8, 7, 6);
        assertThat(decoded.json()).isNull();
    }

    @Test
    void endAndResultRoundTrip() {
        FileFrames.Frame end = FileFrames.decode(FileFrames.end("ab12"));
        assertThat(end.kind()).isEqualTo(FileFrames.END);
        assertThat(end.json().get("sha256").asText()).isEqualTo("ab12");
        FileFrames.Frame result = FileFrames.decode(FileFrames.result(false, "cd34", 7));
        assertThat(result.kind()).isEqualTo(FileFrames.RESULT);
        assertThat(result.json().get("ok").asBoolean()).isFalse();
        assertThat(result.json().get("sha256").asText()).isEqualTo("cd34");
        assertThat(result.json().get("size").asLong()).isEqualTo(7);
    }

    @Test
    void rejectsWhatIsNotAFrame() {
        assertThatThrownBy(() -> FileFrames.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FileFrames.decode(new byte[] {42, '{', '}'})).hasMessageContaining("unknown frame kind 42");
        assertThatThrownBy(() -> FileFrames.decode(new byte[] {FileFrames.END, 'n', 'o'})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FileFrames.decode(new byte[] {FileFrames.START, '[', ']'})).hasMessageContaining("JSON object");
    }

    @Test
    void sha256HexIsTheKnownDigest() {
        assertThat(Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
