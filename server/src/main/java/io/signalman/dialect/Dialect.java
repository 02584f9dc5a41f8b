package io.signalman.dialect;

import io.signalman.transport.Routes;

/**
 * One wire protocol: a codec from its frames to core operations and back, mounted on listeners.
 * Every dialect can be served on the main listener under its own paths, and at the root of a
 * listener of its own, so that clients of the original system keep their URLs.
 */
public interface Dialect {

    /** The name used in {@code --listen NAME@...}, metrics and logs. */
    String name();

    /** The port a listener of this dialect gets when {@code --listen} names none. */
    int defaultPort();

    /** The address a listener of this dialect binds when {@code --listen} names none; null: {@code --host}. */
    default String defaultHost() {
        return null;
    }

    /**
     * Whether a listener of this dialect without TLS files of its own uses the main listener's
     * certificate (for dialects whose original served only TLS).
     */
    default boolean usesMainTls() {
        return false;
    }

    /**
     * For dialects carried by Socket.IO: the Engine.IO settings of a listener this dialect serves
     * at its root, and the binding of its events; null for plain-WebSocket dialects.
     */
    default SocketIoDialect socketIo() {
        return null;
    }

    /** Mounts this dialect's endpoints on the main listener, under its own paths. */
    void mountOnMain(Routes routes);

    /** Mounts this dialect at the root of a listener that serves only it. */
    void mountAtRoot(Routes routes);

    /** Frees what the dialect holds beyond its connections (called once its listeners are closed). */
    default void close() {}
}
