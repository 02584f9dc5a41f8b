package io.signalman.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cdimascio.dotenv.Dotenv;
import io.signalman.ice.TurnOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

    @TempDir
    Path dir;

    private ServerConfig parse(Map<String, String> env, String dotenvText, String... args) throws Exception {
        Dotenv dotenv = null;
        if (dotenvText != null) {
            Files.writeString(dir.resolve(".env"), dotenvText);
            dotenv = Dotenv.configure().directory(dir.toString()).load();
        }
        ServeCommand command = new ServeCommand();
        new CommandLine(command).setDefaultValueProvider(new EnvironmentDefaults(env::get, dotenv)).parseArgs(args);
        return command.toConfig();
    }

    @Test
    void defaultsAreSensible() throws Exception {
        ServerConfig config = parse(Map.of(), null);
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.tls()).isNull();
        assertThat(config.listeners()).isEmpty();
        assertThat(config.iceServers()).containsExactly(IceServer.parse("stun:stun.l.google.com:19302"));
        assertThat(config.messageBytes()).isEqualTo(65536);
        assertThat(config.roomCapacity()).isEqualTo(50);
    }

    @Test
    void clusterIsOffByDefaultAndReadFromFlagsEnvironmentAndDotenv() throws Exception {
        assertThat(parse(Map.of(), null).cluster()).isNull();
        var fromDotenv = parse(Map.of(), "SIGNALMAN_CLUSTER=redis://127.0.0.1:6379\n").cluster();
        assertThat(fromDotenv.redisUri()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(fromDotenv.prefix()).isEqualTo("signalman:");
        assertThat(fromDotenv.heartbeatMs()).isEqualTo(1000);
        assertThat(fromDotenv.nodeTimeoutMs()).isEqualTo(5000);
        assertThat(fromDotenv.nodeId()).hasSize(12);
        var fromFlags = parse(Map.of("SIGNALMAN_CLUSTER", "redis://127.0.0.1:6380"), null, "--cluster", "redis://127.0.0.2:6379/3",
                "--cluster-node-id", "n1", "--cluster-heartbeat-ms", "200", "--cluster-node-timeout-ms", "900").cluster();
        assertThat(fromFlags.redisUri()).isEqualTo("redis://127.0.0.2:6379/3");
        assertThat(fromFlags.nodeId()).isEqualTo("n1");
        assertThat(fromFlags.heartbeatMs()).isEqualTo(200);
        assertThat(fromFlags.nodeTimeoutMs()).isEqualTo(900);
        assertThatThrownBy(() -> parse(Map.of(), null, "--cluster", "http://127.0.0.1:6379"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--cluster");
        assertThatThrownBy(() -> parse(Map.of(), null, "--cluster", "redis://127.0.0.1", "--cluster-node-timeout-ms", "1000"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--cluster-node-timeout-ms");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsDotenvWhichBeatsDefaults() throws Exception {
        String dotenv = "SIGNALMAN_PORT=7001\nSIGNALMAN_ROOM_CAPACITY=7\nSIGNALMAN_HOST=127.0.0.3\n";
        Map<String, String> env = Map.of("SIGNALMAN_PORT", "7002", "SIGNALMAN_ROOM_CAPACITY", "8");

        assertThat(parse(Map.of(), dotenv).port()).isEqualTo(7001);
        ServerConfig fromEnv = parse(env, dotenv);
        assertThat(fromEnv.port()).isEqualTo(7002);
        assertThat(fromEnv.roomCapacity()).isEqualTo(8);
        assertThat(fromEnv.host()).isEqualTo("127.0.0.3");
        ServerConfig fromFlags = parse(env, dotenv, "--port", "7003");
        assertThat(fromFlags.port()).isEqualTo(7003);
        assertThat(fromFlags.roomCapacity()).isEqualTo(8);
    }

    @Test
    void repeatableOptionsTakeFlagsOrCommaSeparatedEnvironment() throws Exception {
        ServerConfig config = parse(Map.of("SIGNALMAN_LISTEN", "native@127.0.0.1:9001,native@9002"), null,
                "--ice-server", "stun:a.example:3478", "--ice-server", "turn:b.example:3478 username=u credential=p");
        assertThat(config.listeners()).containsExactly(
                new ListenerSpec("native", "127.0.0.1", 9001, null), new ListenerSpec("native", null, 9002, null));
        assertThat(config.iceServers()).containsExactly(
                new IceServer(java.util.List.of("stun:a.example:3478"), null, null),
                new IceServer(java.util.List.of("turn:b.example:3478"), "u", "p"));
    }

    @Test
    void iceServerNoneHandsOutAnEmptyListFromFlagsEnvironmentAndDotenv() throws Exception {
        assertThat(parse(Map.of(), null, "--ice-server", "none").iceServers()).isEmpty();
        assertThat(parse(Map.of("SIGNALMAN_ICE_SERVER", "none"), null).iceServers()).isEmpty();
        assertThat(parse(Map.of(), "SIGNALMAN_ICE_SERVER=none\n").iceServers()).isEmpty();
        // An empty variable counts as unset, which is why "none" exists: the default stays.
        assertThat(parse(Map.of("SIGNALMAN_ICE_SERVER", ""), null).iceServers())
                .containsExactly(IceServer.parse(ServerConfig.DEFAULT_STUN));
        // A flag still beats an environment that says none.
        assertThat(parse(Map.of("SIGNALMAN_ICE_SERVER", "none"), null, "--ice-server", "stun:a.example:3478")
                .iceServers()).containsExactly(IceServer.parse("stun:a.example:3478"));
    }

    @Test
    void turnMintingIsOffByDefaultAndReadFromFlagsEnvironmentAndDotenv() throws Exception {
        assertThat(parse(Map.of(), null).turn()).isEqualTo(TurnOptions.off());
        TurnOptions fromFlags = parse(Map.of(), null, "--turn-url", "turn:a.example:3478?transport=udp",
                "--turn-url", "turns:a.example:5349", "--turn-secret", "new", "--turn-secret", "old",
                "--turn-ttl-seconds", "3600").turn();
        assertThat(fromFlags).isEqualTo(new TurnOptions(List.of("turn:a.example:3478?transport=udp",
                "turns:a.example:5349"), List.of("new", "old"), 3600));
        assertThat(parse(Map.of("SIGNALMAN_TURN_URL", "turn:b.example:3478", "SIGNALMAN_TURN_SECRET", "s1,s0"), null).turn())
                .isEqualTo(new TurnOptions(List.of("turn:b.example:3478"), List.of("s1", "s0"), TurnOptions.DEFAULT_TTL_SECONDS));
        assertThat(parse(Map.of(), "SIGNALMAN_TURN_URL=turn:c.example:3478\nSIGNALMAN_TURN_SECRET=s\nSIGNALMAN_TURN_TTL_SECONDS=60\n")
                .turn()).isEqualTo(new TurnOptions(List.of("turn:c.example:3478"), List.of("s"), 60));
        assertThatThrownBy(() -> parse(Map.of(), null, "--turn-url", "turn:a.example:3478"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--turn-secret");
        assertThatThrownBy(() -> parse(Map.of(), null, "--turn-secret", "s"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--turn-url");
        assertThatThrownBy(() -> parse(Map.of(), null, "--turn-url", "stun:a.example:3478", "--turn-secret", "s"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("turn: or turns:");
        assertThatThrownBy(() -> parse(Map.of(), null, "--turn-ttl-seconds", "0"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--turn-ttl-seconds");
    }

    @Test
    void listenSpecsCarryHostPortAndTls() {
        ListenerSpec spec = ListenerSpec.parse("native@[::1]:8443?cert=/c.pem&key=/k.pem", "0.0.0.0");
        assertThat(spec.host()).isEqualTo("::1");
        assertThat(spec.port()).isEqualTo(8443);
        assertThat(spec.tls().certChain()).isEqualTo(Path.of("/c.pem"));
        assertThat(ListenerSpec.parse("native@", "h").port()).isEqualTo(ListenerSpec.DEFAULT_PORT);
        assertThat(ListenerSpec.parse("native@h:0", "x").port()).isZero();
        assertThatThrownBy(() -> ListenerSpec.parse("native@1:2:x", "h")).hasMessageContaining("not a port number");
        assertThatThrownBy(() -> ListenerSpec.parse("nohost", "h")).hasMessageContaining("DIALECT@");
        assertThatThrownBy(() -> ListenerSpec.parse("native@1?cert=a", "h")).hasMessageContaining("both cert= and key=");
    }

    @Test
    void invalidConfigurationIsOneLineAndStatusTwo() {
        assertInvalid("--port=abc", "signalman: Invalid value for option '--port': 'abc' is not an int");
        assertInvalid("--port=70000", "signalman: --port must be between 0 and 65535");
        assertInvalid("--listen=carrier@9", "signalman: --listen 'carrier@9': unknown dialect 'carrier' (known: native, pair, broadcast, direct, star, workspaces, peerjs)");
        assertInvalid("--ice-server=http://x", "signalman: ICE server 'http://x' must start with stun:, stuns:, turn: or turns:");
        assertInvalid("--tls-cert=/nope.pem", "signalman: --tls-cert and --tls-key go together");
        assertInvalid("--bogus", "signalman: Unknown option: '--bogus'");
        assertInvalid("--log-format=xml", "signalman: --log-format must be text or json");
        assertInvalid("--peerjs-path=myapp", "signalman: --peerjs-path must start with / and hold no spaces, ? or #");
        assertInvalid("--peerjs-concurrent-limit=0", "signalman: --peerjs-concurrent-limit must be at least 1");
        assertInvalid("--peerjs-queue-limit=-1", "signalman: --peerjs-queue-limit and --peerjs-queue-bytes must not be negative");
        assertInvalid(new String[] {"--ice-server=none", "--ice-server=stun:a.example:3478"},
                "signalman: --ice-server none cannot be combined with servers");
        assertInvalid("--auth-required", "signalman: --auth-required needs a key: --auth-secret, --auth-public-key or --auth-jwks");
        assertInvalid("--auth-secret=short", "signalman: an HS256 secret must be at least 32 bytes long");
        assertInvalid("--auth-public-key=/nope.pem", "signalman: cannot use public key /nope.pem: /nope.pem");
        assertInvalid("--auth-duplicate=kick", "signalman: --auth-duplicate must be replace or reject");
        assertInvalid("--admin-token=short", "signalman: --admin-token must be at least 16 characters");
        assertInvalid("--rate-burst=0", "signalman: --rate-messages-per-second must be positive, --rate-burst and --rate-strikes at least 1");
    }

    @Test
    void authAndLimitOptionsReachTheConfiguration() throws Exception {
        ServerConfig config = parse(Map.of("SIGNALMAN_AUTH_SECRET", "0123456789abcdef0123456789abcdef,fedcba9876543210fedcba9876543210"),
                "SIGNALMAN_ADMIN_TOKEN=operator-token-123\n", "--auth-required", "--auth-duplicate=reject",
                "--rate-messages-per-second=5", "--allowed-origin=https://a.example,https://b.example");
        assertThat(config.auth().required()).isTrue();
        assertThat(config.auth().hmacSecrets()).hasSize(2);
        assertThat(config.auth().duplicatePolicy()).isEqualTo(io.signalman.core.Switchboard.DuplicatePolicy.REJECT);
        assertThat(config.ops().adminToken()).isEqualTo("operator-token-123");
        assertThat(config.abuse().messagesPerSecond()).isEqualTo(5.0);
        assertThat(config.abuse().allowedOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(parse(Map.of(), null).auth().hasKeys()).isFalse();
    }

    @Test
    void peerjsOptionsDefaultToThePeerjsCommandsAndCanBeSet() throws Exception {
        assertThat(parse(Map.of(), null).peerjs()).isEqualTo(PeerjsOptions.defaults());
        assertThat(PeerjsOptions.defaults().normalizedPath()).isEqualTo("/");
        ServerConfig config = parse(Map.of("SIGNALMAN_PEERJS_KEY", "k"), null, "--peerjs-path", "/myapp",
                "--peerjs-allow-discovery", "--peerjs-alive-timeout-ms", "90000", "--peerjs-expire-timeout-ms", "7000",
                "--peerjs-concurrent-limit", "10", "--peerjs-queue-limit", "3", "--peerjs-queue-bytes", "4096",
                "--peerjs-cors-origin", "https://a.example,https://b.example");
        assertThat(config.peerjs()).isEqualTo(new PeerjsOptions("/myapp", "k", true, 90_000, 7_000, 10, 3, 4096,
                java.util.List.of("https://a.example", "https://b.example")));
        assertThat(config.peerjs().normalizedPath()).isEqualTo("/myapp/");
    }

    @Test
    void certificateFilesAreCheckedEveryFiveSecondsUnlessToldOtherwise() throws Exception {
        assertThat(parse(Map.of(), null).ops().tlsReloadMs()).isEqualTo(5_000);
        assertThat(parse(Map.of("SIGNALMAN_TLS_RELOAD_MS", "0"), null).ops().tlsReloadMs()).isZero();
        assertThat(parse(Map.of(), null, "--tls-reload-ms", "60000").ops().tlsReloadMs()).isEqualTo(60_000);
        assertInvalid("--tls-reload-ms=10", "signalman: --tls-reload-ms must be 0 (off) or at least 100");
    }

    @Test
    void unreadableTlsFilesAndTakenPortsAreOneLineAndStatusTwo() throws Exception {
        assertInvalid(new String[] {"--host=127.0.0.1", "--port=0", "--tls-cert=/nope.pem", "--tls-key=/nope.key"},
                "signalman: cannot read TLS file /nope.pem");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String[] args = {"--host=127.0.0.1", "--port=" + taken.getLocalPort()};
            assertInvalid(args, "signalman: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " for main: ");
        }
    }

    private static void assertInvalid(String arg, String line) {
        assertInvalid(new String[] {arg}, line);
    }

    private static void assertInvalid(String[] args, String linePrefix) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = io.signalman.MainAccess.run(args);
        } finally {
            System.setErr(original);
        }
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(status).isEqualTo(2);
        assertThat(printed.lines()).hasSize(1);
        assertThat(printed).startsWith(linePrefix);
    }
}
