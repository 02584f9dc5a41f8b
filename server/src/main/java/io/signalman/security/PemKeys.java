package io.signalman.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads RSA and EC keys from PEM files ({@code BEGIN PUBLIC KEY}, {@code BEGIN PRIVATE KEY}). The JDK
 * decodes the key material; only the PEM armour (a base64 body between two lines) is stripped here,
 * which is all the format is.
 */
public final class PemKeys {
    private PemKeys() {}

    /** An X.509 SubjectPublicKeyInfo public key, RSA or EC. */
    public static PublicKey readPublic(Path file) throws IOException {
        byte[] der = body(file, "PUBLIC KEY");
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new IOException(file + " holds no RSA or EC public key");
    }

    /** A PKCS#8 private key, RSA or EC ({@code openssl genpkey} writes this form). */
    public static PrivateKey readPrivate(Path file) throws IOException {
        byte[] der = body(file, "PRIVATE KEY");
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new IOException(file + " holds no PKCS#8 RSA or EC private key");
    }

    private static byte[] body(Path file, String label) throws IOException {
        String text = Files.readString(file);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) throw new IOException(file + " has no '" + begin + "' block");
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the " + label + " block is not base64");
        }
    }
}
