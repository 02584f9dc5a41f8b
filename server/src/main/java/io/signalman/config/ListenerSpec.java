package io.signalman.config;

import io.signalman.transport.TlsFiles;
import java.nio.file.Path;

/**
 * An extra listener from {@code --listen DIALECT@[HOST:]PORT[?cert=PEM&key=PEM]}: the dialect it
 * serves at its root, where it binds, and optional TLS files.
 *
 * @param port {@link #DEFAULT_PORT} to use the dialect's default port; 0 for any free port
 */
public record ListenerSpec(String dialect, String host, int port, TlsFiles tls) {

    /** The port value that stands for "the dialect's default port". */
    public static final int DEFAULT_PORT = -1;

    /** Parses the flag's value; {@code defaultHost} (may be null: the dialect's default) when it names none. */
    public static ListenerSpec parse(String text, String defaultHost) {
        String value = text.trim();
        int at = value.indexOf('@');
        if (at <= 0) throw new IllegalArgumentException("--listen '" + text + "' must look like DIALECT@[HOST:]PORT");
        String dialect = value.substring(0, at);
        String rest = value.substring(at + 1);
        TlsFiles tls = null;
        int query = rest.indexOf('?');
        if (query >= 0) {
            tls = parseTls(text, rest.substring(query + 1));
            rest = rest.substring(0, query);
        }
        String host = defaultHost;
        String portText = rest;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            host = rest.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            if (host.isEmpty()) host = defaultHost;
            portText = rest.substring(colon + 1);
        }
        int port;
        if (portText.isEmpty()) {
            port = DEFAULT_PORT;
        } else {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--listen '" + text + "': '" + portText + "' is not a port number");
            }
            if (port < 0 || port > 65535) throw new IllegalArgumentException("--listen '" + text + "': port out of range");
        }
        return new ListenerSpec(dialect, host, port, tls);
    }

    private static TlsFiles parseTls(String text, String query) {
        String cert = null;
        String key = null;
        for (String pair : query.split("&")) {
            if (pair.startsWith("cert=")) cert = pair.substring(5);
            else if (pair.startsWith("key=")) key = pair.substring(4);
            else throw new IllegalArgumentException("--listen '" + text + "': unknown option '" + pair + "' (cert=, key=)");
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException("--listen '" + text + "': TLS needs both cert= and key=");
        }
        return new TlsFiles(Path.of(cert), Path.of(key));
    }
}
