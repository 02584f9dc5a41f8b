package io.signalman.transport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PEM certificate chain and private key for one listener. {@link ListenerTls} turns them into the
 * listener's TLS context and follows them when they change.
 *
 * @param certChain PEM file with the server certificate first, then its intermediates
 * @param key       PEM file with the PKCS#8 private key
 */
public record TlsFiles(Path certChain, Path key) {

    /** Fails with a one-line message naming the first file that cannot be read. */
    void requireReadable() {
        for (Path path : new Path[] {certChain, key}) {
            if (!Files.isReadable(path)) throw new IllegalArgumentException("cannot read TLS file " + path);
        }
    }
}
