package io.signalman.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of one listener: the server context built from its {@link TlsFiles}, swapped for a new
 * one when the files change (a Let's Encrypt renewal needs no restart). Each new connection takes the
 * context current at its accept; a connection keeps the one it started with until it closes.
 *
 * <p>Use {@link #load} at start-up (it throws if the files are unusable, so a node never starts
 * without its certificate), then {@link #watch} on a scheduler that may block briefly (file reads and
 * one in-memory handshake per change), never on an event loop.
 */
public final class ListenerTls {
    private static final Logger log = LoggerFactory.getLogger(ListenerTls.class);

    /** In-memory handshake steps after which a candidate context counts as not working. */
    private static final int MAX_HANDSHAKE_ROUNDS = 32;

    private final String listener;
    private final TlsFiles files;
    private volatile Loaded current;
    /** What the files looked like at the last check, to let a change settle before reading it. */
    private Stamp seen;
    /** What the files looked like when last read, whether they were usable or not. */
    private Stamp tried;

    private record Loaded(SslContext context, X509Certificate certificate) {}

    private ListenerTls(String listener, TlsFiles files, Loaded first, Stamp stamp) {
        this.listener = listener;
        this.files = files;
        this.current = first;
        this.seen = stamp;
        this.tried = stamp;
    }

    /**
     * Reads and checks the files now.
     *
     * @param listener name used in log lines
     * @throws IllegalArgumentException with a one-line reason when the files are missing or unusable
     */
    public static ListenerTls load(String listener, TlsFiles files) {
        files.requireReadable();
        Stamp stamp = Stamp.of(files);
        try {
            return new ListenerTls(listener, files, read(files), stamp);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read TLS files " + files.certChain() + ", " + files.key()
                    + ": " + e.getMessage(), e);
        } catch (Exception | LinkageError e) {
            // LinkageError: Netty reaches for optional classes (Bouncy Castle) for some key formats.
            throw new IllegalArgumentException("cannot use TLS certificate " + files.certChain() + " with key "
                    + files.key() + ": " + reason(e), e);
        }
    }

    /** A TLS handler for a new connection, with the certificate that is current now. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return current.context().newHandler(alloc);
    }

    /** The certificate new connections are given. */
    public X509Certificate certificate() {
        return current.certificate();
    }

    /** Looks at the files every {@code periodMs}; the task ends with the scheduler. */
    public ScheduledFuture<?> watch(ScheduledExecutorService scheduler, long periodMs) {
        return scheduler.scheduleWithFixedDelay(() -> {
            try {
                reloadIfChanged();
            } catch (RuntimeException e) {
                // A failed check must not cancel the periodic task: the next renewal would go unnoticed.
                log.warn("TLS files of listener {}: check failed: {}", listener, e.toString());
            }
        }, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /**
     * One check: when the files differ from those last read and have stayed the same since the previous
     * check, reads them and, if they make a working pair, makes them current.
     *
     * <p>Waiting one check for a change to settle keeps a copy still being written, or a certificate
     * replaced before its key, from being read half-done. A pair that does not work is logged once and
     * not tried again until the files change.
     *
     * <p>Called from one thread at a time (the watcher's), which alone keeps {@code seen} and {@code tried}.
     *
     * @return true if new connections now get a new certificate
     */
    boolean reloadIfChanged() {
        Stamp now = Stamp.of(files);
        Stamp previous = seen;
        seen = now;
        if (now.equals(tried) || !now.equals(previous)) return false;
        tried = now;
        X509Certificate old = current.certificate();
        try {
            Loaded loaded = read(files);
            current = loaded;
            log.info("TLS certificate of listener {} reloaded from {}: {}, valid until {}", listener,
                    files.certChain(), loaded.certificate().getSubjectX500Principal().getName(),
                    loaded.certificate().getNotAfter().toInstant());
            return true;
        } catch (Exception | LinkageError e) {
            log.warn("TLS files of listener {} changed but cannot be used: {}. New connections keep getting {}"
                    + " (valid until {}); fix {} and {}, they are read again when they change", listener, reason(e),
                    old.getSubjectX500Principal().getName(), old.getNotAfter().toInstant(), files.certChain(), files.key());
            return false;
        }
    }

    /** Reads both files once, then builds from those bytes, so that what is checked is what is served. */
    private static Loaded read(TlsFiles files) throws Exception {
        byte[] chain = Files.readAllBytes(files.certChain());
        byte[] key = Files.readAllBytes(files.key());
        SslContext context = SslContextBuilder.forServer(new ByteArrayInputStream(chain), new ByteArrayInputStream(key))
                .build();
        proveKeyMatches(context);
        X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(chain)).iterator().next();
        return new Loaded(context, leaf);
    }

    /**
     * A certificate and a key that do not belong together (a renewal caught between writing one and the
     * other) parse without complaint and fail every client. A handshake between the new context and a
     * client in memory needs the key to sign for the certificate, so it proves the pair before it serves.
     */
    private static void proveKeyMatches(SslContext server) throws Exception {
        SslContext clientContext = SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        EmbeddedChannel serverSide = new EmbeddedChannel(server.newHandler(ByteBufAllocator.DEFAULT));
        SslHandler clientHandler = clientContext.newHandler(ByteBufAllocator.DEFAULT);
        EmbeddedChannel clientSide = new EmbeddedChannel(clientHandler);
        try {
            for (int round = 0; round < MAX_HANDSHAKE_ROUNDS && !clientHandler.handshakeFuture().isDone(); round++) {
                boolean moved = pass(clientSide, serverSide) | pass(serverSide, clientSide);
                if (!moved && !clientHandler.handshakeFuture().isDone()) break;
            }
        } catch (RuntimeException e) {
            // EmbeddedChannel rethrows the handler's failure; the handshake future says why.
        } finally {
            clientSide.finishAndReleaseAll();
            serverSide.finishAndReleaseAll();
        }
        if (!clientHandler.handshakeFuture().isSuccess()) {
            Throwable cause = clientHandler.handshakeFuture().cause();
            throw new IllegalArgumentException("the key does not sign for the certificate"
                    + (cause == null ? " (handshake did not finish)" : ": " + cause.getMessage()), cause);
        }
    }

    private static boolean pass(EmbeddedChannel from, EmbeddedChannel to) {
        from.runPendingTasks();
        boolean moved = false;
        for (Object message = from.readOutbound(); message != null; message = from.readOutbound()) {
            to.writeInbound(message);
            moved = true;
        }
        to.runPendingTasks();
        return moved;
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String message = root.getMessage() == null ? root.getClass().getSimpleName()
                : root instanceof IOException ? root.getClass().getSimpleName() + " " + root.getMessage()
                : root.getMessage();
        return root == e ? message : e.getMessage() + " (" + message + ")";
    }

    /**
     * What identifies the files' content without reading it. The real path catches a symlink switched
     * to another file (certbot's {@code live/} links into {@code archive/}); the file key (inode) catches
     * a file renamed over the old one; modification time and size catch a rewrite in place.
     */
    private record Stamp(List<Object> parts) {
        static Stamp of(TlsFiles files) {
            return new Stamp(List.of(part(files.certChain()), part(files.key())));
        }

        private static Object part(Path path) {
            try {
                Path real = path.toRealPath();
                BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
                return List.of(real.toString(), Objects.toString(attributes.fileKey()),
                        attributes.lastModifiedTime(), attributes.size());
            } catch (IOException e) {
                // A missing file is a state of its own: its return is a change worth reading.
                return "unreadable: " + e.getClass().getSimpleName();
            }
        }
    }
}
