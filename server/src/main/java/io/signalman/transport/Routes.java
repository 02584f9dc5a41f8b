package io.signalman.transport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one listener serves: plain HTTP routes by exact path or under a prefix, and WebSocket endpoints
 * mounted at an exact path or under a prefix. Built once at start-up, then only read.
 */
public final class Routes {

    /** A WebSocket endpoint and where it is mounted. */
    public record Mount(String path, boolean prefix, Endpoint endpoint) {
        /** The request URI after the mount path if this mount takes it, else null. */
        String match(String path, String uri) {
            if (prefix) return path.startsWith(this.path) ? uri.substring(this.path.length()) : null;
            return path.equals(this.path) ? uri.substring(path.length()) : null;
        }
    }

    /** The result of looking up a request. */
    public record Match(Mount mount, String rest) {}

    private final Map<String, HttpRoute> http = new LinkedHashMap<>();
    private final Map<String, HttpRoute> httpPrefixes = new LinkedHashMap<>();
    private final List<Mount> mounts = new ArrayList<>();
    private HttpRoute fallback = request -> HttpResponses.notFound();

    /**
     * Serves {@code route} for requests whose path is exactly {@code path}.
     *
     * @throws IllegalStateException if another route holds the path (two features claiming one URL is a bug)
     */
    public Routes http(String path, HttpRoute route) {
        if (http.putIfAbsent(path, route) != null) throw new IllegalStateException("two HTTP routes for " + path);
        return this;
    }

    /**
     * Serves {@code route} for requests whose path starts with {@code prefix} and that no exact route
     * or WebSocket mount takes, upgrade requests included; longer prefixes win.
     */
    public Routes httpPrefix(String prefix, HttpRoute route) {
        httpPrefixes.put(prefix, route);
        return this;
    }

    /** Mounts an endpoint at exactly {@code path} (the query string may follow). */
    public Routes exact(String path, Endpoint endpoint) {
        mounts.add(new Mount(path, false, endpoint));
        return this;
    }

    /** Mounts an endpoint for every path that starts with {@code prefix}; longer prefixes win. */
    public Routes prefix(String prefix, Endpoint endpoint) {
        mounts.add(new Mount(prefix, true, endpoint));
        mounts.sort((a, b) -> Boolean.compare(a.prefix(), b.prefix()) != 0
                ? Boolean.compare(a.prefix(), b.prefix())
                : Integer.compare(b.path().length(), a.path().length()));
        return this;
    }

    /** Answers plain HTTP requests that match no route and no mount (default: a text 404). */
    public Routes fallback(HttpRoute route) {
        fallback = route;
        return this;
    }

    HttpRoute http(String path) {
        return http.get(path);
    }

    HttpRoute fallback() {
        return fallback;
    }

    HttpRoute httpUnder(String path) {
        HttpRoute best = null;
        int bestLength = -1;
        for (Map.Entry<String, HttpRoute> entry : httpPrefixes.entrySet()) {
            if (path.startsWith(entry.getKey()) && entry.getKey().length() > bestLength) {
                best = entry.getValue();
                bestLength = entry.getKey().length();
            }
        }
        return best;
    }

    Match mount(String path, String uri) {
        for (Mount mount : mounts) {
            String rest = mount.match(path, uri);
            if (rest != null) return new Match(mount, rest);
        }
        return null;
    }

    /** The endpoints mounted here, for operators and logs. */
    public List<Mount> mounts() {
        return List.copyOf(mounts);
    }
}
