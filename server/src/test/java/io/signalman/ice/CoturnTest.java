package io.signalman.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.signalman.config.IceServer;
import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials minted by {@link TurnRestCredentials} against a real coturn ({@code turnserver} in
 * {@code use-auth-secret} mode, Debian package {@code coturn}) on 127.0.0.1: coturn's own test client,
 * {@code turnutils_uclient}, allocates a relay with a fresh one and is refused with an expired one or
 * one signed with a secret coturn does not hold. Fails, not skips, when coturn is not installed.
 */
class CoturnTest {
    private static final String REALM = "signalman.test";
    private static final String CURRENT_SECRET = "coturn-test-current-" + ThreadLocalRandom.current().nextInt(1 << 30);
    private static final String PREVIOUS_SECRET = "coturn-test-previous-" + ThreadLocalRandom.current().nextInt(1 << 30);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static Process turnserver;
    private static int port;

    @BeforeAll
    static void startCoturn() throws Exception {
        String binary = onPath("turnserver");
        onPath("turnutils_uclient");
        port = freeUdpAndTcpPort();
        List<String> command = List.of(binary,
                "-n", // no configuration file: everything that matters is on this line
                "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=" + port,
                "--use-auth-secret",
                // Two secrets, as during a rotation: coturn accepts credentials signed with either.
                "--static-auth-secret=" + CURRENT_SECRET, "--static-auth-secret=" + PREVIOUS_SECRET,
                "--realm=" + REALM, "--no-tls", "--no-dtls", "--no-cli",
                // The test client's peer is on loopback too, which coturn refuses by default.
                "--allow-loopback-peers",
                "--userdb=" + dir.resolve("turndb"), "--pidfile=" + dir.resolve("turnserver.pid"),
                "--log-file=" + dir.resolve("turnserver.log"), "--simple-log", "--no-stdout-log");
        turnserver = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("turnserver.out").toFile()).start();
        awaitStunAnswer();
    }

    @AfterAll
    static void stopCoturn() throws Exception {
        if (turnserver == null) return;
        turnserver.destroy();
        if (!turnserver.waitFor(10, TimeUnit.SECONDS)) turnserver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private static TurnRestCredentials minter(List<String> secrets, Clock clock) {
        return new TurnRestCredentials(new TurnOptions(List.of("turn:127.0.0.1:" + port + "?transport=udp"), secrets, 600),
                clock);
    }

    @Test
    void aFreshCredentialAllocatesARelay() throws Exception {
        IceServer credential = minter(List.of(CURRENT_SECRET, PREVIOUS_SECRET), Clock.systemUTC()).mint("alice");
        Result result = uclient(credential);
        assertThat(result.exitCode).as(result.describe()).isZero();
        assertThat(result.output).as(result.describe()).doesNotContain("Cannot complete Allocation").contains("tot_recv_bytes");
    }

    @Test
    void aCredentialSignedWithTheRotatedOutSecretStillWorksWhileCoturnListsIt() throws Exception {
        IceServer credential = minter(List.of(PREVIOUS_SECRET), Clock.systemUTC()).mint("bob");
        Result result = uclient(credential);
        assertThat(result.exitCode).as(result.describe()).isZero();
    }

    @Test
    void anExpiredCredentialIsRefused() throws Exception {
        Clock past = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-(600 + 120)));
        IceServer credential = minter(List.of(CURRENT_SECRET), past).mint("carol");
        assertThat(Long.parseLong(credential.username().split(":")[0])).isLessThan(System.currentTimeMillis() / 1000);
        Result result = uclient(credential);
        assertThat(result.exitCode).as(result.describe()).isNotZero();
        assertThat(result.output).as(result.describe()).contains("Cannot complete Allocation");
    }

    @Test
    void aCredentialSignedWithAnUnknownSecretIsRefused() throws Exception {
        IceServer credential = minter(List.of("not-a-secret-coturn-knows"), Clock.systemUTC()).mint("mallory");
        Result result = uclient(credential);
        assertThat(result.exitCode).as(result.describe()).isNotZero();
        assertThat(result.output).as(result.describe()).contains("Cannot complete Allocation");
    }

    private record Result(int exitCode, String output) {
        String describe() {
            String log;
            try {
                log = Files.readString(dir.resolve("turnserver.log"));
            } catch (IOException e) {
                log = "(no turnserver log: " + e + ")";
            }
            return "turnutils_uclient exited " + exitCode + ":\n" + output + "\nturnserver log:\n" + log;
        }
    }

    /**
     * One allocation, one message through the relay: {@code -y} makes the client its own peer, so no
     * other host is needed; {@code -c} leaves out the RTCP allocation.
     */
    private static Result uclient(IceServer credential) throws Exception {
        File output = Files.createTempFile(dir, "uclient", ".txt").toFile();
        List<String> command = new ArrayList<>(List.of("turnutils_uclient", "-p", String.valueOf(port),
                "-u", credential.username(), "-w", credential.credential(), "-n", "1", "-m", "1", "-y", "-c", "127.0.0.1"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
        if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("turnutils_uclient did not finish within " + WAIT + ":\n" + Files.readString(output.toPath()));
        }
        return new Result(process.exitValue(), Files.readString(output.toPath()));
    }

    private static String onPath(String command) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, command);
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        return fail("'" + command + "' is not installed; it comes with the Debian package coturn (apt-get install coturn)");
    }

    /** A port free for both UDP and TCP on 127.0.0.1, which turnserver listens on. */
    private static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                int candidate = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket()) {
                    tcp.bind(new InetSocketAddress("127.0.0.1", candidate));
                    return candidate;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP on 127.0.0.1");
    }

    /**
     * Waits until turnserver answers a STUN Binding request (RFC 5389: type 0x0001, length 0, the magic
     * cookie, a 12-byte transaction id), which needs no credentials, so the tests never race its start.
     */
    private static void awaitStunAnswer() throws Exception {
        byte[] request = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442)
                .put("signalman-tx".getBytes(StandardCharsets.US_ASCII)).array();
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(200);
            byte[] answer = new byte[1024];
            while (System.nanoTime() < deadline) {
                if (!turnserver.isAlive()) {
                    fail("turnserver exited with " + turnserver.exitValue() + ":\n"
                            + Files.readString(dir.resolve("turnserver.out")));
                }
                socket.send(new DatagramPacket(request, request.length, InetAddress.getByName("127.0.0.1"), port));
                try {
                    DatagramPacket packet = new DatagramPacket(answer, answer.length);
                    socket.receive(packet);
                    // 0x0101: Binding success response
                    if (packet.getLength() >= 20 && answer[0] == 0x01 && answer[1] == 0x01) return;
                } catch (SocketTimeoutException notYet) {
                    // not listening yet
                }
            }
        }
        fail("turnserver did not answer STUN on 127.0.0.1:" + port + " within " + WAIT);
    }
}
