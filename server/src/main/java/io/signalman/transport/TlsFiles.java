package io.signalman.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PEM certificate chain and private key for one listener.
 *
 * @param certChain PEM file with the server certificate first, then its intermediates
 * @param key       PEM file with the PKCS#8 private key
 */
public record TlsFiles(Path certChain, Path key) {

    /** Loads the files into a server context; fails with a readable message if they are unusable. */
    public SslContext load() {
        for (Path path : new Path[] {certChain, key}) {
            if (!Files.isReadable(path)) throw new IllegalArgumentException("cannot read TLS file " + path);
        }
        try {
            return SslContextBuilder.forServer(certChain.toFile(), key.toFile()).build();
        } catch (Exception | Error e) {
            throw new IllegalArgumentException("cannot use TLS certificate " + certChain + " with key " + key
                    + ": " + e.getMessage(), e);
        }
    }

    File certFile() {
        return certChain.toFile();
    }
}
