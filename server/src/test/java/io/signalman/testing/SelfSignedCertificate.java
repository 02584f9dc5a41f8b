package io.signalman.testing;

import io.signalman.transport.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A throw-away certificate for 127.0.0.1 made with the openssl command, and a client context that trusts it. */
public final class SelfSignedCertificate {
    private final Path cert;
    private final Path key;

    public SelfSignedCertificate(Path dir) throws IOException, InterruptedException {
        this(dir, "localhost");
    }

    /** A certificate whose subject is {@code CN=commonName}, written to cert.pem and key.pem in {@code dir}. */
    public SelfSignedCertificate(Path dir, String commonName) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        Process process = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + commonName,
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) throw new IOException("openssl failed: " + output);
    }

    public TlsFiles files() {
        return new TlsFiles(cert, key);
    }

    public Path cert() {
        return cert;
    }

    public Path key() {
        return key;
    }

    /** The certificate itself. */
    public X509Certificate certificate() throws Exception {
        try (InputStream in = Files.newInputStream(cert)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** A client TLS context that trusts only this certificate. */
    public SSLContext clientContext() throws Exception {
        return trusting(this);
    }

    /** A client TLS context that trusts exactly the given certificates. */
    public static SSLContext trusting(SelfSignedCertificate... certificates) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        for (int i = 0; i < certificates.length; i++) trust.setCertificateEntry("test" + i, certificates[i].certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
