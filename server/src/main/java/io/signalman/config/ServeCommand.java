package io.signalman.config;

import io.signalman.SignalmanServer;
import io.signalman.cluster.redis.ClusterOptions;
import io.signalman.core.Ids;
import io.signalman.core.Switchboard;
import io.signalman.dialect.Dialects;
import io.signalman.ice.TurnOptions;
import io.signalman.security.AuthOptions;
import io.signalman.security.TokenCommand;
import io.signalman.security.TokenVerifier;
import io.signalman.transport.AbuseLimits;
import io.signalman.transport.TlsFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code signalman [options]}: runs a node until it is stopped. */
@Command(name = "signalman", mixinStandardHelpOptions = true, versionProvider = ServeCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true, subcommands = TokenCommand.class,
        description = {"A WebRTC signaling server.",
                "Every option can also be set by an environment variable SIGNALMAN_<OPTION> (e.g. SIGNALMAN_PORT)"
                        + " or in a .env file in the working directory; flags win over the environment, the"
                        + " environment over .env, and .env over the defaults shown."},
        footer = {"", "Dialects: native, pair, broadcast, direct, star, workspaces, peerjs.",
                "Example: signalman --port 8080 --listen native@127.0.0.1:9000"})
public final class ServeCommand implements Callable<Integer> {

    /** The {@code --ice-server} value that configures no STUN or TURN server at all. */
    static final String NO_ICE_SERVERS = "none";

    /** Most Redis commands waiting at once; a burst beyond it fails fast instead of growing memory. */
    static final int CLUSTER_QUEUE_LIMIT = 65_536;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address of the main listener (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port of the main listener (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain (PEM) for the main listener; turns on TLS with --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key (PKCS#8 PEM) for the main listener.")
    Path tlsKey;

    @Option(names = "--tls-reload-ms", defaultValue = "5000",
            description = "Look at every listener's certificate and key files this often and serve renewed ones to new"
                    + " connections; 0 never (default: ${DEFAULT-VALUE}).")
    long tlsReloadMs;

    @Option(names = "--listen", paramLabel = "DIALECT@[HOST:]PORT[?cert=PEM&key=PEM]", split = ",",
            description = "An extra listener that serves one dialect at its root. Repeatable.")
    List<String> listen = new ArrayList<>();

    @Option(names = "--ice-server", paramLabel = "URL[ username=U credential=C]", split = ",",
            defaultValue = ServerConfig.DEFAULT_STUN,
            description = "STUN/TURN server handed to native clients. Repeatable; 'none' hands out an empty list"
                    + " (default: ${DEFAULT-VALUE}).")
    List<String> iceServers = new ArrayList<>();

    @Option(names = "--turn-url", paramLabel = "URL", split = ",",
            description = "A TURN URL (turn: or turns:) of coturn servers in use-auth-secret mode; every client gets"
                    + " fresh credentials for them. Repeatable; needs --turn-secret.")
    List<String> turnUrls = new ArrayList<>();

    @Option(names = "--turn-secret", paramLabel = "SECRET", split = ",",
            description = "coturn's static-auth-secret. Repeatable, newest first: credentials are signed with the first;"
                    + " coturn accepts every secret it lists, which lets secrets rotate.")
    List<String> turnSecrets = new ArrayList<>();

    @Option(names = "--turn-ttl-seconds", defaultValue = "86400",
            description = "How long minted TURN credentials are valid; native clients get fresh ones before then"
                    + " (default: ${DEFAULT-VALUE}).")
    long turnTtlSeconds;

    @Option(names = "--room-capacity", defaultValue = "50", description = "Most peers in one native room (default: ${DEFAULT-VALUE}).")
    int roomCapacity;

    @Option(names = "--max-meta-bytes", defaultValue = "4096", description = "Largest 'meta' object of a join (default: ${DEFAULT-VALUE}).")
    int maxMetaBytes;

    @Option(names = "--max-rooms-per-peer", defaultValue = "32", description = "Most rooms one peer may be in (default: ${DEFAULT-VALUE}).")
    int maxRoomsPerPeer;

    @Option(names = "--max-message-bytes", defaultValue = "65536",
            description = "Largest message a client may send; larger ones get 'too-large' (default: ${DEFAULT-VALUE}).")
    int messageBytes;

    @Option(names = "--max-frame-bytes", defaultValue = "1048576",
            description = "Largest message the server buffers at all; beyond it the connection is closed (1009) (default: ${DEFAULT-VALUE}).")
    int hardFrameBytes;

    @Option(names = "--max-json-depth", defaultValue = "32", description = "Deepest JSON nesting accepted (default: ${DEFAULT-VALUE}).")
    int maxJsonDepth;

    @Option(names = "--heartbeat-ms", defaultValue = "25000", description = "Ping a quiet connection this often (default: ${DEFAULT-VALUE}).")
    long heartbeatMs;

    @Option(names = "--idle-timeout-ms", defaultValue = "60000", description = "Close a connection silent this long (default: ${DEFAULT-VALUE}).")
    long idleTimeoutMs;

    @Option(names = "--open-addressing", defaultValue = "false",
            description = "Let native peers signal any peer by id, not only those in a shared room (default: ${DEFAULT-VALUE}).")
    boolean openAddressing;

    @Option(names = "--worker-threads", defaultValue = "0", description = "Event-loop threads; 0 means one per core (default: ${DEFAULT-VALUE}).")
    int workerThreads;

    @Option(names = "--shutdown-grace-ms", defaultValue = "10000", description = "How long shutdown waits for connections to close (default: ${DEFAULT-VALUE}).")
    long shutdownGraceMs;

    @Option(names = "--broadcast-by-code", defaultValue = "false",
            description = "broadcast dialect: relay only to the first other client that sent the same 'code' (default: ${DEFAULT-VALUE}).")
    boolean broadcastByCode;

    @Option(names = "--star-refresh-ms", defaultValue = "10000",
            description = "star dialect: re-announce every joined peer this often (default: ${DEFAULT-VALUE}).")
    long starRefreshMs;

    @Option(names = "--disable-metrics", defaultValue = "false",
            description = "star dialect: leave out the webrtc_star_* series and the star listener's /metrics, as the original's"
                    + " --disable-metrics (or DISABLE_METRICS) did (default: ${DEFAULT-VALUE}).")
    boolean disableMetrics;

    @Option(names = "--workspaces-capacity", defaultValue = "4",
            description = "workspaces dialect: most attendees in a workspace, the owner included (default: ${DEFAULT-VALUE}).")
    int workspacesCapacity;

    @Option(names = "--workspaces-storage-file", paramLabel = "FILE",
            description = "workspaces dialect: keep workspaces in this JSON file (the original's json_storage_file); none by default.")
    String workspacesStorageFile;

    @Option(names = "--twilio-base-url", defaultValue = "https://api.twilio.com",
            description = "workspaces dialect: where Twilio tokens are requested when TWILIO_* are set (default: ${DEFAULT-VALUE}).")
    String twilioBaseUrl;

    @Option(names = "--peerjs-path", defaultValue = "/",
            description = "peerjs dialect: path of the PeerJS API on its listener (under /peerjs on the main one) (default: ${DEFAULT-VALUE}).")
    String peerjsPath;

    @Option(names = "--peerjs-key", defaultValue = "peerjs", description = "peerjs dialect: the API key clients must use (default: ${DEFAULT-VALUE}).")
    String peerjsKey;

    @Option(names = "--peerjs-allow-discovery", defaultValue = "false",
            description = "peerjs dialect: let GET <path>/<key>/peers list the connected ids (default: ${DEFAULT-VALUE}).")
    boolean peerjsAllowDiscovery;

    @Option(names = "--peerjs-alive-timeout-ms", defaultValue = "60000",
            description = "peerjs dialect: close a client that sent no HEARTBEAT this long (default: ${DEFAULT-VALUE}).")
    long peerjsAliveTimeoutMs;

    @Option(names = "--peerjs-expire-timeout-ms", defaultValue = "5000",
            description = "peerjs dialect: how long messages wait for an id that has not connected before the sender gets EXPIRE (default: ${DEFAULT-VALUE}).")
    long peerjsExpireTimeoutMs;

    @Option(names = "--peerjs-concurrent-limit", defaultValue = "5000",
            description = "peerjs dialect: most ids connected at once (default: ${DEFAULT-VALUE}).")
    int peerjsConcurrentLimit;

    @Option(names = "--peerjs-queue-limit", defaultValue = "128",
            description = "peerjs dialect: most messages waiting for one id that has not connected (default: ${DEFAULT-VALUE}).")
    int peerjsQueueLimit;

    @Option(names = "--peerjs-queue-bytes", defaultValue = "16777216",
            description = "peerjs dialect: most bytes of messages waiting for all such ids together (default: ${DEFAULT-VALUE}).")
    long peerjsQueueBytes;

    @Option(names = "--peerjs-cors-origin", paramLabel = "ORIGIN", split = ",",
            description = "peerjs dialect: an origin the HTTP API allows; repeatable (default: every origin).")
    List<String> peerjsCorsOrigins = new ArrayList<>();

    @Option(names = "--cluster", paramLabel = "redis://HOST:PORT[/DB]",
            description = "Share peers and rooms with the other nodes on this Redis (see docs/cluster.md); none by default.")
    String cluster;

    @Option(names = "--cluster-prefix", defaultValue = "signalman:",
            description = "Prefix of every Redis key and channel of the cluster (default: ${DEFAULT-VALUE}).")
    String clusterPrefix;

    @Option(names = "--cluster-node-id", description = "This node's id in the cluster (default: a random one).")
    String clusterNodeId;

    @Option(names = "--cluster-heartbeat-ms", defaultValue = "1000",
            description = "Renew this node's heartbeat and look for dead nodes this often (default: ${DEFAULT-VALUE}).")
    long clusterHeartbeatMs;

    @Option(names = "--cluster-node-timeout-ms", defaultValue = "5000",
            description = "A node whose heartbeat is this old is taken for dead and its peers leave (default: ${DEFAULT-VALUE}).")
    long clusterNodeTimeoutMs;
    @Option(names = "--auth-required", defaultValue = "false",
            description = "native protocol: refuse clients without a valid token (?token=JWT) (default: ${DEFAULT-VALUE}).")
    boolean authRequired;

    @Option(names = "--auth-secret", paramLabel = "SECRET", split = ",",
            description = "native protocol: an HS256 secret (32 bytes or more) tokens may be signed with. Repeatable, for rotation.")
    List<String> authSecrets = new ArrayList<>();

    @Option(names = "--auth-public-key", paramLabel = "PEM", split = ",",
            description = "native protocol: an RS256 or ES256 public key (PEM) tokens may be signed for. Repeatable.")
    List<Path> authPublicKeys = new ArrayList<>();

    @Option(names = "--auth-jwks", paramLabel = "FILE", description = "native protocol: a JSON Web Key Set file with public keys.")
    Path authJwks;

    @Option(names = "--auth-audience", paramLabel = "AUD", description = "native protocol: the 'aud' tokens must name (default: any).")
    String authAudience;

    @Option(names = "--auth-issuer", paramLabel = "ISS", description = "native protocol: the 'iss' tokens must carry (default: any).")
    String authIssuer;

    @Option(names = "--auth-rooms-claim", defaultValue = AuthOptions.DEFAULT_ROOMS_CLAIM,
            description = "native protocol: the claim listing the rooms a token grants; 'name*' grants a prefix;"
                    + " a token without it may join any room (default: ${DEFAULT-VALUE}).")
    String authRoomsClaim;

    @Option(names = "--auth-duplicate", defaultValue = "replace", paramLabel = "replace|reject",
            description = "native protocol: a second connection with a token's id replaces the first (which gets an"
                    + " error frame and is closed) or is rejected (default: ${DEFAULT-VALUE}).")
    String authDuplicate;

    @Option(names = "--admin-token", paramLabel = "TOKEN",
            description = "Bearer token of the /admin API on the main listener (16 characters or more); the API is off without it.")
    String adminToken;

    @Option(names = "--drain-timeout-ms", defaultValue = "30000",
            description = "A drain (SIGTERM or POST /admin/drain) waits this long for clients to leave (default: ${DEFAULT-VALUE}).")
    long drainTimeoutMs;

    @Option(names = "--goaway-reconnect-ms", defaultValue = "1000",
            description = "The reconnect delay native clients are given in 'goaway' when the node drains (default: ${DEFAULT-VALUE}).")
    long goawayReconnectMs;

    @Option(names = "--resume-window-ms", defaultValue = "30000",
            description = "native protocol: a session whose connection was lost (not closed) waits this long for its"
                    + " client to come back with ?resume=; 0 ends sessions with their connection (default: ${DEFAULT-VALUE}).")
    long resumeWindowMs;

    @Option(names = "--resume-max-held", defaultValue = "256",
            description = "native protocol: messages and presence events held for a session that waits for its client;"
                    + " one more ends the session (default: ${DEFAULT-VALUE}).")
    int resumeMaxHeld;

    @Option(names = "--rate-messages-per-second", defaultValue = "100",
            description = "Frames per second one connection may send, sustained (default: ${DEFAULT-VALUE}).")
    double rateMessagesPerSecond;

    @Option(names = "--rate-burst", defaultValue = "200",
            description = "Frames one connection may send at once above the sustained rate (default: ${DEFAULT-VALUE}).")
    int rateBurst;

    @Option(names = "--rate-strikes", defaultValue = "50",
            description = "Frames refused in a row for rate before the connection is closed (default: ${DEFAULT-VALUE}).")
    int rateStrikes;

    @Option(names = "--max-connections-per-ip", defaultValue = "1000",
            description = "Open connections from one IP address (default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerIp;

    @Option(names = "--new-connections-per-second", defaultValue = "200",
            description = "New connections per second from one IP address (default: ${DEFAULT-VALUE}).")
    double newConnectionsPerSecond;

    @Option(names = "--max-outbound-bytes", defaultValue = "4194304",
            description = "Bytes queued for a slow reader before it is disconnected (default: ${DEFAULT-VALUE}).")
    long maxOutboundBytes;

    @Option(names = "--handshake-timeout-ms", defaultValue = "10000",
            description = "Time a new connection has to send its HTTP request or upgrade (default: ${DEFAULT-VALUE}).")
    long handshakeTimeoutMs;

    @Option(names = "--allowed-origin", paramLabel = "ORIGIN", split = ",",
            description = "An Origin browsers may open WebSockets from; repeatable (default: any origin).")
    List<String> allowedOrigins = new ArrayList<>();

    @Option(names = "--log-level", defaultValue = "info", description = "error, warn, info, debug or trace (default: ${DEFAULT-VALUE}).")
    String logLevel;

    @Option(names = "--log-format", defaultValue = "text", description = "text or json (one JSON object per line) (default: ${DEFAULT-VALUE}).")
    String logFormat;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = toConfig();
        Logging.configure(logLevel, logFormat);
        SignalmanServer server = SignalmanServer.start(config);
        // SIGTERM drains: clients are moved away before the node stops (bounded by --drain-timeout-ms).
        Runtime.getRuntime().addShutdownHook(new Thread(server::drainAndAwait, "signalman-shutdown"));
        server.awaitClose();
        return 0;
    }

    /** Validates the options; every problem is one {@link CommandLine.ParameterException} line. */
    ServerConfig toConfig() {
        require(port >= 0 && port <= 65535, "--port must be between 0 and 65535");
        require((tlsCert == null) == (tlsKey == null), "--tls-cert and --tls-key go together");
        require(tlsReloadMs == 0 || tlsReloadMs >= 100, "--tls-reload-ms must be 0 (off) or at least 100");
        require(roomCapacity >= 1, "--room-capacity must be at least 1");
        require(maxMetaBytes >= 2, "--max-meta-bytes must be at least 2");
        require(maxRoomsPerPeer >= 1, "--max-rooms-per-peer must be at least 1");
        require(messageBytes >= 256, "--max-message-bytes must be at least 256");
        require(hardFrameBytes >= messageBytes, "--max-frame-bytes must be at least --max-message-bytes");
        require(maxJsonDepth >= 2 && maxJsonDepth <= 1000, "--max-json-depth must be between 2 and 1000");
        require(heartbeatMs >= 0 && idleTimeoutMs >= 0, "--heartbeat-ms and --idle-timeout-ms must not be negative");
        require(workerThreads >= 0, "--worker-threads must not be negative");
        require(peerjsPath.startsWith("/") && peerjsPath.chars().noneMatch(c -> c <= ' ' || c == '?' || c == '#'),
                "--peerjs-path must start with / and hold no spaces, ? or #");
        require(!peerjsKey.isEmpty(), "--peerjs-key must not be empty");
        require(peerjsAliveTimeoutMs >= 1 && peerjsExpireTimeoutMs >= 1,
                "--peerjs-alive-timeout-ms and --peerjs-expire-timeout-ms must be at least 1");
        require(peerjsConcurrentLimit >= 1, "--peerjs-concurrent-limit must be at least 1");
        require(peerjsQueueLimit >= 0 && peerjsQueueBytes >= 0, "--peerjs-queue-limit and --peerjs-queue-bytes must not be negative");
        require(List.of("text", "json").contains(logFormat), "--log-format must be text or json");
        require(List.of("error", "warn", "info", "debug", "trace").contains(logLevel.toLowerCase()),
                "--log-level must be error, warn, info, debug or trace");
        List<ListenerSpec> listeners = new ArrayList<>();
        List<IceServer> ice = new ArrayList<>();
        TurnOptions turn;
        try {
            for (String text : listen) {
                if (text.isBlank()) continue;
                ListenerSpec listener = ListenerSpec.parse(text, null);
                require(Dialects.exists(listener.dialect()),
                        "--listen '" + text + "': unknown dialect '" + listener.dialect() + "' (known: "
                                + String.join(", ", Dialects.names()) + ")");
                listeners.add(listener);
            }
            // An empty environment variable means "unset" (the default applies), so "no ICE servers"
            // needs a word of its own that works in flags, the environment and .env alike.
            boolean none = iceServers.stream().anyMatch(text -> text.trim().equals(NO_ICE_SERVERS));
            for (String text : iceServers) {
                if (!text.isBlank() && !text.trim().equals(NO_ICE_SERVERS)) ice.add(IceServer.parse(text));
            }
            require(!none || ice.isEmpty(), "--ice-server " + NO_ICE_SERVERS + " cannot be combined with servers");
            turn = new TurnOptions(turnUrls.stream().map(String::trim).filter(v -> !v.isEmpty()).toList(),
                    turnSecrets.stream().filter(v -> !v.isEmpty()).toList(), turnTtlSeconds);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        require(starRefreshMs >= 100, "--star-refresh-ms must be at least 100");
        require(workspacesCapacity >= 1, "--workspaces-capacity must be at least 1");
        ClusterOptions clusterOptions = null;
        if (cluster != null && !cluster.isBlank()) {
            require(cluster.startsWith("redis://") || cluster.startsWith("rediss://"),
                    "--cluster must be a redis:// or rediss:// URI");
            require(clusterHeartbeatMs >= 10, "--cluster-heartbeat-ms must be at least 10");
            require(clusterNodeTimeoutMs > clusterHeartbeatMs, "--cluster-node-timeout-ms must exceed --cluster-heartbeat-ms");
            String nodeId = clusterNodeId == null || clusterNodeId.isBlank() ? Ids.alphanumeric(12) : clusterNodeId;
            clusterOptions = new ClusterOptions(cluster.trim(), clusterPrefix, nodeId, clusterHeartbeatMs,
                    clusterNodeTimeoutMs, CLUSTER_QUEUE_LIMIT);
        }
        require(List.of("replace", "reject").contains(authDuplicate), "--auth-duplicate must be replace or reject");
        require(adminToken == null || adminToken.length() >= 16, "--admin-token must be at least 16 characters");
        require(drainTimeoutMs >= 0 && goawayReconnectMs >= 0, "--drain-timeout-ms and --goaway-reconnect-ms must not be negative");
        require(rateMessagesPerSecond > 0 && rateBurst >= 1 && rateStrikes >= 1,
                "--rate-messages-per-second must be positive, --rate-burst and --rate-strikes at least 1");
        require(maxConnectionsPerIp >= 1 && newConnectionsPerSecond > 0,
                "--max-connections-per-ip must be at least 1 and --new-connections-per-second positive");
        require(maxOutboundBytes >= 65536, "--max-outbound-bytes must be at least 65536");
        require(resumeWindowMs >= 0 && resumeMaxHeld >= 1,
                "--resume-window-ms must not be negative and --resume-max-held must be at least 1");
        require(handshakeTimeoutMs >= 100, "--handshake-timeout-ms must be at least 100");
        AuthOptions auth = new AuthOptions(authRequired, authSecrets.stream().filter(v -> !v.isBlank()).toList(),
                List.copyOf(authPublicKeys), authJwks, authAudience, authIssuer, authRoomsClaim,
                authDuplicate.equals("reject") ? Switchboard.DuplicatePolicy.REJECT : Switchboard.DuplicatePolicy.REPLACE);
        require(!auth.required() || auth.hasKeys(),
                "--auth-required needs a key: --auth-secret, --auth-public-key or --auth-jwks");
        try {
            TokenVerifier.create(auth);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Map<String, String> originalEnvironment = originalEnvironment();
        TlsFiles tls = tlsCert == null ? null : new TlsFiles(tlsCert, tlsKey);
        int workers = workerThreads == 0 ? Runtime.getRuntime().availableProcessors() : workerThreads;
        return new ServerConfig(host, port, tls, List.copyOf(listeners), List.copyOf(ice), roomCapacity, maxMetaBytes,
                maxRoomsPerPeer, messageBytes, hardFrameBytes, maxJsonDepth, heartbeatMs, idleTimeoutMs,
                openAddressing, workers, shutdownGraceMs, broadcastByCode, starRefreshMs,
                !disableMetrics && !isTruthy(originalEnvironment.get("DISABLE_METRICS")), workspacesCapacity,
                workspacesStorageFile, twilioBaseUrl, originalEnvironment,
                new PeerjsOptions(peerjsPath, peerjsKey, peerjsAllowDiscovery, peerjsAliveTimeoutMs, peerjsExpireTimeoutMs,
                        peerjsConcurrentLimit, peerjsQueueLimit, peerjsQueueBytes,
                        peerjsCorsOrigins.stream().filter(o -> !o.isBlank()).toList()), clusterOptions,
                auth, new OpsOptions(adminToken, drainTimeoutMs, goawayReconnectMs, tlsReloadMs),
                new AbuseLimits(rateMessagesPerSecond, rateBurst, rateStrikes, maxConnectionsPerIp, newConnectionsPerSecond,
                        maxOutboundBytes, handshakeTimeoutMs, allowedOrigins.stream().filter(o -> !o.isBlank()).toList()),
                new ResumeOptions(resumeWindowMs, resumeMaxHeld), turn);
    }

    /** The variables original systems read, from the environment or {@code .env}. */
    private Map<String, String> originalEnvironment() {
        Map<String, String> values = new LinkedHashMap<>();
        CommandLine.IDefaultValueProvider provider = spec.defaultValueProvider();
        if (provider instanceof EnvironmentDefaults defaults) {
            for (String key : Dialects.originalEnvironmentKeys()) {
                String value = defaults.lookup(key);
                if (value != null) values.put(key, value);
            }
        }
        return Map.copyOf(values);
    }

    /** Node's reading of an environment flag: set and not empty, "0" or "false". */
    private static boolean isTruthy(String value) {
        return value != null && !value.isEmpty() && !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    private void require(boolean condition, String message) {
        if (!condition) throw new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Reads the version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = ServeCommand.class.getPackage().getImplementationVersion();
            return new String[] {"signalman " + (version == null ? "development build" : version)};
        }
    }
}
