package io.signalman.config;

import io.signalman.cluster.redis.ClusterOptions;
import io.signalman.ice.TurnOptions;
import io.signalman.security.AuthOptions;
import io.signalman.transport.AbuseLimits;
import io.signalman.transport.TlsFiles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's whole configuration, validated and immutable. {@code originalEnvironment} holds the
 * variables that original systems read (e.g. {@code SIGNALING_SERVER_PORT}), as found in the
 * environment or {@code .env}, for the dialects that honour them. {@code cluster} is null for a
 * single node (the in-memory engine), or says which Redis the node shares with others. {@code turn} says
 * how TURN credentials are minted beside the static {@code iceServers}. Built by {@link ServeCommand} from flags,
 * environment, {@code .env} and defaults; tests build it directly through {@link #defaults()}.
 */
public record ServerConfig(
        String host,
        int port,
        TlsFiles tls,
        List<ListenerSpec> listeners,
        List<IceServer> iceServers,
        int roomCapacity,
        int maxMetaBytes,
        int maxRoomsPerPeer,
        int messageBytes,
        int hardFrameBytes,
        int maxJsonDepth,
        long heartbeatMs,
        long idleTimeoutMs,
        boolean openAddressing,
        int workerThreads,
        long shutdownGraceMs,
        boolean broadcastByCode,
        long starRefreshMs,
        boolean starMetrics,
        int workspacesCapacity,
        String workspacesStorageFile,
        String twilioBaseUrl,
        Map<String, String> originalEnvironment,
        PeerjsOptions peerjs,
        ClusterOptions cluster,
        AuthOptions auth,
        OpsOptions ops,
        AbuseLimits abuse,
        ResumeOptions resume,
        TurnOptions turn) {

    public static final String DEFAULT_STUN = "stun:stun.l.google.com:19302";

    /**
     * A port number read from an original system's variable ({@code SIGNALING_SERVER_PORT}, {@code PORT}),
     * or {@code fallback} when it is unset; a value that is no port is a configuration error.
     */
    public int originalPort(String variable, int fallback) {
        String value = originalEnvironment.get(variable);
        if (value == null) return fallback;
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(variable + " '" + value + "' is not a port number");
    }

    /** The defaults of every option, bound to 127.0.0.1 on an ephemeral port (for tests and tools). */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 0, null, List.of(), List.of(IceServer.parse(DEFAULT_STUN)),
                50, 4096, 32, 64 * 1024, 1024 * 1024, 32, 25_000, 60_000, false,
                Runtime.getRuntime().availableProcessors(), 10_000, false, 10_000, true, 4, null,
                "https://api.twilio.com", Map.of(), PeerjsOptions.defaults(), null, AuthOptions.off(), OpsOptions.defaults(),
                AbuseLimits.defaults(), ResumeOptions.defaults(), TurnOptions.off());
    }

    /** This configuration with other abuse limits. */
    public ServerConfig withAbuse(AbuseLimits limits) {
        return new ServerConfig(host, port, tls, listeners, iceServers, roomCapacity, maxMetaBytes, maxRoomsPerPeer,
                messageBytes, hardFrameBytes, maxJsonDepth, heartbeatMs, idleTimeoutMs, openAddressing, workerThreads,
                shutdownGraceMs, broadcastByCode, starRefreshMs, starMetrics, workspacesCapacity, workspacesStorageFile,
                twilioBaseUrl, originalEnvironment, peerjs, cluster, auth, ops, limits, resume, turn);
    }

    /** This configuration with other resume settings. */
    public ServerConfig withResume(ResumeOptions options) {
        return new ServerConfig(host, port, tls, listeners, iceServers, roomCapacity, maxMetaBytes, maxRoomsPerPeer,
                messageBytes, hardFrameBytes, maxJsonDepth, heartbeatMs, idleTimeoutMs, openAddressing, workerThreads,
                shutdownGraceMs, broadcastByCode, starRefreshMs, starMetrics, workspacesCapacity, workspacesStorageFile,
                twilioBaseUrl, originalEnvironment, peerjs, cluster, auth, ops, abuse, options, turn);
    }

    /**
     * This configuration with one more listener and the original servers' environment keys
     * ({@code MAGICK_TOKEN}, {@code SALT_STRING}, ...) that its dialect reads.
     */
    public ServerConfig withListener(ListenerSpec listener, Map<String, String> environment) {
        List<ListenerSpec> more = new ArrayList<>(listeners);
        more.add(listener);
        Map<String, String> env = new HashMap<>(originalEnvironment);
        env.putAll(environment);
        return new ServerConfig(host, port, tls, List.copyOf(more), iceServers, roomCapacity, maxMetaBytes, maxRoomsPerPeer,
                messageBytes, hardFrameBytes, maxJsonDepth, heartbeatMs, idleTimeoutMs, openAddressing, workerThreads,
                shutdownGraceMs, broadcastByCode, starRefreshMs, starMetrics, workspacesCapacity, workspacesStorageFile,
                twilioBaseUrl, Map.copyOf(env), peerjs, cluster, auth, ops, abuse, resume, turn);
    }
}
