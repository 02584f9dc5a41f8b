package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.signalman.config.OpsOptions;
import io.signalman.testing.Json;
import io.signalman.testing.SelfSignedCertificate;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates renewed on disk reach new connections without a restart (certbot's symlink swap and a
 * rewrite in place), open connections keep going, and files that do not work leave the old certificate.
 */
class TlsReloadTest {
    private static final long PERIOD_MS = 100;
    /** Long enough for several checks, each of which would have swapped in a usable pair. */
    private static final Duration STAYS = Duration.ofMillis(15 * PERIOD_MS);

    @TempDir
    Path dir;

    private SelfSignedCertificate a;
    private SelfSignedCertificate b;
    private SSLContext trustsBoth;

    @BeforeEach
    void certificates() throws Exception {
        a = new SelfSignedCertificate(dir.resolve("a"), "cert-a");
        b = new SelfSignedCertificate(dir.resolve("b"), "cert-b");
        trustsBoth = SelfSignedCertificate.trusting(a, b);
    }

    @Test
    void aCertbotStyleSymlinkSwapReachesNewConnectionsWhileOpenOnesContinue() throws Exception {
        // certbot keeps live/NAME/*.pem as symlinks into archive/NAME/ and renews by pointing them at new files.
        Path archive = Files.createDirectories(dir.resolve("archive"));
        Path live = Files.createDirectories(dir.resolve("live"));
        Files.copy(a.cert(), archive.resolve("cert1.pem"));
        Files.copy(a.key(), archive.resolve("privkey1.pem"));
        Files.copy(b.cert(), archive.resolve("cert2.pem"));
        Files.copy(b.key(), archive.resolve("privkey2.pem"));
        Path cert = live.resolve("fullchain.pem");
        Path key = live.resolve("privkey.pem");
        Files.createSymbolicLink(cert, Path.of("../archive/cert1.pem"));
        Files.createSymbolicLink(key, Path.of("../archive/privkey1.pem"));

        try (TestServer server = start(new TlsFiles(cert, key), null)) {
            int port = server.server().address("main").getPort();
            assertThat(servedSubject(port)).isEqualTo("CN=cert-a");
            try (WsClient open = WsClient.connect("wss://127.0.0.1:" + port + "/v1/ws", trustsBoth)) {
                assertThat(Json.field(open.next(), "type")).isEqualTo("welcome");

                swapLink(key, Path.of("../archive/privkey2.pem"));
                swapLink(cert, Path.of("../archive/cert2.pem"));

                await().atMost(Duration.ofSeconds(5)).until(() -> servedSubject(port).equals("CN=cert-b"));
                open.send("{\"type\":\"ping\"}");
                assertThat(open.next()).isEqualTo("{\"type\":\"pong\"}");
            }
            try (WsClient fresh = WsClient.connect("wss://127.0.0.1:" + port + "/v1/ws", b.clientContext())) {
                assertThat(Json.field(fresh.next(), "type")).isEqualTo("welcome");
            }
        }
    }

    @Test
    void filesRewrittenInPlaceAreReloadedOnASocketIoListenerToo() throws Exception {
        Path cert = Files.copy(a.cert(), dir.resolve("cert.pem"));
        Path key = Files.copy(a.key(), dir.resolve("key.pem"));
        String star = "star@127.0.0.1:0?cert=" + cert + "&key=" + key;
        try (TestServer server = start(new TlsFiles(cert, key), star)) {
            int main = server.server().address("main").getPort();
            int socketIo = server.server().address("star").getPort();
            assertThat(servedSubject(socketIo)).isEqualTo("CN=cert-a");

            Files.copy(b.key(), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(b.cert(), cert, StandardCopyOption.REPLACE_EXISTING);

            await().atMost(Duration.ofSeconds(5)).until(() -> servedSubject(socketIo).equals("CN=cert-b"));
            await().atMost(Duration.ofSeconds(5)).until(() -> servedSubject(main).equals("CN=cert-b"));
        }
    }

    @Test
    void brokenOrMismatchedFilesKeepTheWorkingCertificate() throws Exception {
        Path cert = Files.copy(a.cert(), dir.resolve("cert.pem"));
        Path key = Files.copy(a.key(), dir.resolve("key.pem"));
        try (TestServer server = start(new TlsFiles(cert, key), null)) {
            int port = server.server().address("main").getPort();

            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
            await().during(STAYS).atMost(STAYS.plusSeconds(5)).until(() -> servedSubject(port).equals("CN=cert-a"));

            // B's certificate with A's key: both parse, but no client could finish a handshake.
            Files.copy(b.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
            await().during(STAYS).atMost(STAYS.plusSeconds(5)).until(() -> servedSubject(port).equals("CN=cert-a"));

            Files.delete(key);
            await().during(STAYS).atMost(STAYS.plusSeconds(5)).until(() -> servedSubject(port).equals("CN=cert-a"));

            Files.copy(b.key(), key);
            await().atMost(Duration.ofSeconds(5)).until(() -> servedSubject(port).equals("CN=cert-b"));
        }
    }

    @Test
    void aChangeIsReadOnlyOnceItHasSettledAndABrokenOneOnlyOnce() throws Exception {
        Path cert = Files.copy(a.cert(), dir.resolve("cert.pem"));
        Path key = Files.copy(a.key(), dir.resolve("key.pem"));
        ListenerTls tls = ListenerTls.load("test", new TlsFiles(cert, key));
        assertThat(tls.reloadIfChanged()).as("unchanged files").isFalse();

        Files.copy(b.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(b.key(), key, StandardCopyOption.REPLACE_EXISTING);
        assertThat(tls.reloadIfChanged()).as("first sight of a change").isFalse();
        assertThat(subject(tls.certificate())).isEqualTo("CN=cert-a");
        assertThat(tls.reloadIfChanged()).as("the change has settled").isTrue();
        assertThat(subject(tls.certificate())).isEqualTo("CN=cert-b");

        Files.write(key, "garbage".getBytes(StandardCharsets.US_ASCII));
        assertThat(tls.reloadIfChanged()).isFalse();
        assertThat(tls.reloadIfChanged()).as("broken key").isFalse();
        assertThat(tls.reloadIfChanged()).as("the same broken key, not read again").isFalse();
        assertThat(subject(tls.certificate())).isEqualTo("CN=cert-b");
    }

    @Test
    void aNodeDoesNotStartWithAMismatchedPair() {
        TlsFiles mismatched = new TlsFiles(a.cert(), b.key());
        assertThatThrownBy(() -> ListenerTls.load("main", mismatched))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot use TLS certificate " + a.cert());
    }

    private static TestServer start(TlsFiles tls, String listener) {
        TestConfigs.Builder config = TestConfigs.builder().tls(tls)
                .ops(OpsOptions.defaults().withTlsReloadMs(PERIOD_MS));
        if (listener != null) config.listen(listener);
        return new TestServer(config.build());
    }

    /** The subject of the certificate a new TLS connection to the port is given. */
    private String servedSubject(int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) trustsBoth.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            return subject((X509Certificate) socket.getSession().getPeerCertificates()[0]);
        }
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    /** Replaces a symlink atomically, as certbot does: a new link beside it, renamed over it. */
    private static void swapLink(Path link, Path target) throws IOException {
        Path next = link.resolveSibling(link.getFileName() + ".new");
        Files.createSymbolicLink(next, target);
        Files.move(next, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
