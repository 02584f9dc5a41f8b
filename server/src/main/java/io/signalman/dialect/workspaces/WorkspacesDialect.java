package io.signalman.dialect.workspaces;

import com.corundumstudio.socketio.SocketIONamespace;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.signalman.config.ServerConfig;
import io.signalman.core.Ids;
import io.signalman.core.Switchboard;
import io.signalman.dialect.Dialect;
import io.signalman.dialect.DialectContext;
import io.signalman.dialect.SocketIoDialect;
import io.signalman.ice.IceBroker;
import io.signalman.ops.DialectMeters;
import io.signalman.transport.HttpResponses;
import io.signalman.transport.Routes;
import io.signalman.transport.socketio.SocketIoServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seed 001: the webRTCWorkspaces signaling server over Socket.IO 2 (Engine.IO 3). Workspaces with an
 * owner, PIN-protected invitations, attendees with access tokens, calls set up with
 * {@code ring}/{@code answer}/{@code icecandidate}. It runs only when a {@code --listen workspaces@...}
 * is configured (then also on the main listener), and honours the original's {@code .env} keys:
 * {@code PORT}, {@code ENABLE_HTTPS}, {@code MAGICK_TOKEN}, {@code SALT_STRING}, {@code DEVELOPMENT},
 * {@code TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}.
 */
public final class WorkspacesDialect implements Dialect, SocketIoDialect {
    public static final String NAME = "workspaces";
    static final String REALM = "workspaces";
    private static final Logger log = LoggerFactory.getLogger(WorkspacesDialect.class);

    private final boolean enabled;
    private final Switchboard switchboard;
    private final DialectMeters meters;
    private final ServerConfig config;
    private final int defaultPort;
    private final boolean https;
    private WorkspaceStore store;
    private WorkspaceTokens tokens;
    private IceServersSource iceServers;
    private ExecutorService workers;

    public WorkspacesDialect(DialectContext context) {
        this(context, WorkspaceTokens.COST);
    }

    /** With another bcrypt cost for new tokens (tests); hashes of any cost still verify. */
    WorkspacesDialect(DialectContext context, int bcryptCost) {
        this.config = context.config();
        this.switchboard = context.switchboard();
        this.meters = context.metrics().dialect(NAME, REALM);
        Map<String, String> env = config.originalEnvironment();
        this.enabled = config.listeners().stream().anyMatch(spec -> spec.dialect().equals(NAME));
        this.https = "true".equals(env.get("ENABLE_HTTPS"));
        this.defaultPort = config.originalPort("PORT", 9090);
        if (enabled) start(env, bcryptCost);
    }

    private void start(Map<String, String> env, int bcryptCost) {
        boolean development = "true".equals(env.get("DEVELOPMENT"));
        String secret = env.get("MAGICK_TOKEN");
        String salt = env.get("SALT_STRING");
        if (secret == null || salt == null) {
            if (config.cluster() != null) {
                // Every node must accept the tokens the others issued, and again after a restart.
                throw new IllegalArgumentException("workspaces with --cluster: set MAGICK_TOKEN and SALT_STRING,"
                        + " the same on every node");
            }
            if (!development) {
                throw new IllegalArgumentException("workspaces: set MAGICK_TOKEN and SALT_STRING (environment or .env),"
                        + " or DEVELOPMENT=true for throw-away ones");
            }
            log.warn("workspaces: no MAGICK_TOKEN/SALT_STRING; using throw-away ones (tokens end with this process)");
            secret = secret != null ? secret : Ids.secret(32);
            salt = salt != null ? salt : Ids.secret(16);
        }
        boolean ownTls = config.listeners().stream().anyMatch(spec -> spec.dialect().equals(NAME) && spec.tls() != null);
        if (https && !ownTls && config.tls() == null) {
            throw new IllegalArgumentException("workspaces: ENABLE_HTTPS=true needs a certificate:"
                    + " --listen 'workspaces@PORT?cert=PEM&key=PEM' or --tls-cert/--tls-key");
        }
        tokens = new WorkspaceTokens(secret, salt, bcryptCost);
        if (config.cluster() != null && config.workspacesStorageFile() != null) {
            throw new IllegalArgumentException("workspaces: --workspaces-storage-file and --cluster exclude each other;"
                    + " with --cluster the workspaces live in Redis");
        }
        store = config.cluster() != null ? new RedisWorkspaceStore(config.cluster())
                : new LocalWorkspaceStore(config.workspacesStorageFile() == null ? null : Path.of(config.workspacesStorageFile()));
        iceServers = new IceServersSource(development, IceBroker.from(config));
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        // Bounded: a flood of events waits in a bounded queue instead of growing the heap.
        workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000),
                runnable -> {
                    Thread thread = new Thread(runnable, "workspaces-worker");
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.DiscardPolicy());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int defaultPort() {
        return defaultPort;
    }

    @Override
    public boolean usesMainTls() {
        return https;
    }

    @Override
    public SocketIoDialect socketIo() {
        return enabled ? this : null;
    }

    @Override
    public SocketIoServer.Settings settings() {
        // socket.io 2 with the original's pingTimeout; the payload cap is ours (the original allowed 100 MB)
        return new SocketIoServer.Settings(25_000, 12_000, config.hardFrameBytes());
    }

    @Override
    public void bind(SocketIONamespace namespace) {
        WorkspacesEvents events = new WorkspacesEvents(this);
        namespace.addConnectListener(events::connected);
        namespace.addDisconnectListener(events::disconnected);
        namespace.addEventListener("iceservers", JsonNode.class, (client, data, ack) -> events.onIceServers(client));
        on(namespace, events, "create", events::create);
        on(namespace, events, "attend", events::attend);
        on(namespace, events, "re-attend", events::reAttend);
        on(namespace, events, "destroy", events::destroy);
        on(namespace, events, "leave", events::leave);
        on(namespace, events, "kick", events::kick);
        on(namespace, events, "ring", events::ring);
        on(namespace, events, "answer", events::answer);
        on(namespace, events, "busy", events::busy);
        on(namespace, events, "hangup", events::hangup);
        on(namespace, events, "icecandidate", events::iceCandidate);
        on(namespace, events, "negotiation", events::negotiation);
        on(namespace, events, "mic-toggle", events.toggle("mic-toggle"));
        on(namespace, events, "cam-toggle", events.toggle("cam-toggle"));
        // The client sends "attendees" on start-up; the original had no handler for it. A listener
        // that does nothing keeps it out of the unknown-event path and counts it.
        namespace.addEventListener("attendees", JsonNode.class, (client, data, ack) -> events.ignored());
    }

    private static void on(SocketIONamespace namespace, WorkspacesEvents events, String name,
            WorkspacesEvents.Handler handler) {
        namespace.addEventListener(name, JsonNode.class, (client, data, ack) -> events.on(client, data, handler));
    }

    @Override
    public void mountOnMain(Routes routes) {}

    /** The original's Express app: the "up and running" page, its logo, Express's 404 elsewhere. */
    @Override
    public void mountAtRoot(Routes routes) {
        routes.http("/", request -> HttpResponses.of(HttpResponseStatus.OK, "text/html; charset=utf-8", WorkspacesPage.HTML));
        routes.http("/logo.svg", request -> HttpResponses.of(HttpResponseStatus.OK, "image/svg+xml", WorkspacesPage.LOGO));
        routes.fallback(request -> {
            String path = request.uri().replaceFirst("\\?.*$", "");
            return HttpResponses.of(HttpResponseStatus.NOT_FOUND, "text/html; charset=utf-8",
                    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n"
                            + "<body>\n<pre>Cannot " + request.method().name() + " "
                            + path.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                            + "</pre>\n</body>\n</html>\n");
        });
    }

    /** Lets queued events finish for a moment, then closes the store (and its Redis connection). */
    @Override
    public void close() {
        if (workers == null) return;
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }

    Switchboard switchboard() {
        return switchboard;
    }

    DialectMeters meters() {
        return meters;
    }

    WorkspaceStore store() {
        return store;
    }

    WorkspaceTokens tokens() {
        return tokens;
    }

    IceServersSource iceServers() {
        return iceServers;
    }

    Executor workers() {
        return workers;
    }

    int capacity() {
        return config.workspacesCapacity();
    }

    int idLength() {
        return 10;
    }

    String untitledWorkspace() {
        return "Untitled Workspace";
    }

    String anonymousAttendee() {
        return "Anonymous Attendee";
    }
}
