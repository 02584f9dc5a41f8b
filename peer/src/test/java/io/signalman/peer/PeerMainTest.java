package io.signalman.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PeerMainTest {

    private static final SignalingAddress ENV = new SignalingAddress("192.0.2.7", "8091");

    @TempDir
    Path dir;

    private static PeerOptions parse(String... args) {
        PeerMain command = new PeerMain();
        PeerMain.commandLine(command).parseArgs(args);
        return command.resolve(ENV);
    }

    @Test
    void directByDefaultWithTheAddressFromTheEnvironmentAndThePublicStunServerOffLoopback() {
        PeerOptions options = parse();
        assertThat(options.protocol()).isEqualTo(PeerOptions.Protocol.DIRECT);
        assertThat(options.signalingUrl()).hasToString("ws://192.0.2.7:8091");
        assertThat(options.iceServers()).containsExactly(new IceServerSpec("stun:stun.l.google.com:19302", null, null));
        assertThat(options.connectTo()).isNull();
        assertThat(options.readStdin()).isTrue();
        assertThat(options.timeout().toSeconds()).isEqualTo(30);
        assertThat(options.receiveDir()).isEqualTo(Path.of("."));
    }

    @Test
    void noIceServersWhenTheServerIsOnLoopback() {
        assertThat(parse("--url", "ws://127.0.0.1:8000").iceServers()).isEmpty();
        assertThat(parse("--url", "ws://localhost:8000").iceServers()).isEmpty();
        assertThat(parse("--url", "ws://[::1]:8000").iceServers()).isEmpty();
        assertThat(parse("--url", "ws://10.0.0.5:8000").iceServers()).hasSize(1);
        assertThat(parse("--url", "ws://10.0.0.5:8000", "--ice-server", "none").iceServers()).isEmpty();
    }

    @Test
    void nativeTakesTheServersIceListUnlessGivenOne() {
        PeerOptions options = parse("--protocol", "native", "--room", "lobby");
        assertThat(options.protocol()).isEqualTo(PeerOptions.Protocol.NATIVE);
        assertThat(options.signalingUrl()).hasToString("ws://127.0.0.1:8080/v1/ws");
        assertThat(options.iceServers()).isNull();
        assertThat(parse("--protocol", "NATIVE", "--room", "r", "--ice-server", "none").iceServers()).isEmpty();
    }

    @Test
    void iceServersAreRepeatableAndTurnNeedsCredentials() {
        PeerOptions options = parse("--ice-server", "stun:stun.example.org:3478",
                "--ice-server", "turn:turn.example.org:3478?transport=udp username=u credential=p");
        assertThat(options.iceServers()).containsExactly(
                new IceServerSpec("stun:stun.example.org:3478", null, null),
                new IceServerSpec("turn:turn.example.org:3478?transport=udp", "u", "p"));
        assertThatThrownBy(() -> parse("--ice-server", "turn:t.example.org")).hasMessageContaining("username=");
        assertThatThrownBy(() -> parse("--ice-server", "http://x")).hasMessageContaining("must start with stun:");
    }

    @Test
    void optionsThatDoNotFitTogetherAreUsageErrors() throws Exception {
        assertThatThrownBy(() -> parse("--protocol", "native")).isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--room");
        assertThatThrownBy(() -> parse("--room", "r")).hasMessageContaining("native only");
        assertThatThrownBy(() -> parse("--protocol", "native", "--room", "r", "--id", "abcd")).hasMessageContaining("--id");
        assertThatThrownBy(() -> parse("--protocol", "smoke")).hasMessageContaining("direct or native");
        assertThatThrownBy(() -> parse("--connect", "ab")).hasMessageContaining("longer than two");
        assertThatThrownBy(() -> parse("--id", "a/b")).hasMessageContaining("--id");
        assertThatThrownBy(() -> parse("--timeout", "0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> parse("--send-file", dir.resolve("missing").toString())).hasMessageContaining("not a readable file");
        assertThatThrownBy(() -> parse("--send-file", dir.toString())).hasMessageContaining("directory");
        assertThatThrownBy(() -> parse("--send", "x", "--no-stdin")).hasMessageContaining("--connect");
        assertThatThrownBy(() -> parse("--url", "http://example.org")).hasMessageContaining("ws://");
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        PeerOptions ok = parse("--send-file", file.toString(), "--connect", " ABCD ", "--no-stdin", "--url", "ws://h:1");
        assertThat(ok.sendFile()).isEqualTo(file);
        assertThat(ok.connectTo()).isEqualTo("ABCD");
        assertThat(ok.readStdin()).isFalse();
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhy() {
        StringWriter err = new StringWriter();
        CommandLine line = PeerMain.commandLine(new PeerMain()).setErr(new PrintWriter(err));
        assertThat(line.execute("--protocol", "native")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("--protocol native needs --room NAME");
        assertThat(PeerMain.commandLine(new PeerMain()).setErr(new PrintWriter(new StringWriter())).execute("--no-such-option"))
                .isEqualTo(ExitCode.USAGE);
    }

    @Test
    void helpListsEveryExitCode() {
        StringWriter out = new StringWriter();
        CommandLine line = PeerMain.commandLine(new PeerMain()).setOut(new PrintWriter(out));
        assertThat(line.execute("--help")).isZero();
        for (int code = 0; code <= 6; code++) assertThat(out.toString()).containsPattern("(?m)^\\s+" + code + "\\s+\\S");
    }

    @Test
    void candidatesTravelWithTheSdpPrefixAsSeed004WritesThem() {
        assertThat(Candidates.toWire("candidate:1 1 udp 2122260223 127.0.0.2 50000 typ host"))
                .isEqualTo("a=candidate:1 1 udp 2122260223 127.0.0.2 50000 typ host");
        assertThat(Candidates.toWire("a=candidate:1")).isEqualTo("a=candidate:1");
        var candidate = Candidates.fromWire("a=candidate:2 1 UDP 2116026111 127.0.0.1 58527 typ host", "0");
        assertThat(candidate.sdp).isEqualTo("candidate:2 1 UDP 2116026111 127.0.0.1 58527 typ host");
        assertThat(candidate.sdpMid).isEqualTo("0");
        assertThat(Candidates.fromWire("candidate:3", "data").sdp).isEqualTo("candidate:3");
    }

    @Test
    void randomIdsAreFourLettersOrDigits() {
        for (int i = 0; i < 100; i++) assertThat(PeerSession.randomId(4)).matches("[A-Za-z0-9]{4}");
    }

    @Test
    void progressLineShowsPercentRateAndEta() {
        String line = Progress.line("send f", 5L * 1024 * 1024, 10L * 1024 * 1024, 2_000_000_000L);
        assertThat(line).isEqualTo("send f [###############...............]  50% 5.0 MiB/10.0 MiB 2.5 MiB/s ETA 0:02");
        assertThat(Progress.line("r", 10, 10, 1_000_000_000L)).contains("100%").contains("ETA --:--");
        assertThat(Progress.duration(3725)).isEqualTo("1:02:05");
    }
}
