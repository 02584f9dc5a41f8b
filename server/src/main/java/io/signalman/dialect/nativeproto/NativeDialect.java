package io.signalman.dialect.nativeproto;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.signalman.config.ServerConfig;
import io.signalman.core.RoomPolicy;
import io.signalman.core.Switchboard;
import io.signalman.dialect.Dialect;
import io.signalman.dialect.DialectContext;
import io.signalman.ice.IceBroker;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.signalman.ops.DialectMeters;
import io.signalman.ops.Metrics;
import io.signalman.security.Identity;
import io.signalman.security.TokenRejected;
import io.signalman.security.TokenVerifier;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.Gauge;
import io.signalman.core.SessionKeeper;
import io.signalman.transport.Endpoint;
import io.signalman.transport.Routes;
import io.signalman.transport.SocketLimits;

/**
 * Signalman's own protocol (docs/protocol.md): JSON frames at {@code /v1/ws}, rooms with presence,
 * signals between peers that share a room, broadcasts, acks and typed errors.
 */
public final class NativeDialect implements Dialect, Endpoint {
    public static final String NAME = "native";
    /** The engine realm (id space) of native peers. */
    static final String REALM = "native";
    /** How many oversized frames in a row a client may send before it is disconnected. */
    static final int OVERSIZE_STRIKES = 3;

    private final Switchboard switchboard;
    private final DialectMeters meters;
    private final SocketLimits limits;
    private final RoomPolicy roomPolicy;
    private final IceBroker ice;
    private final ServerConfig config;
    /** Shared by every session: a JsonFactory is thread-safe and holds kilobytes of symbol tables. */
    private final NativeDecoder decoder;
    private final TokenVerifier tokens;
    private final Metrics metrics;
    /** Null when sessions end with their connections ({@code --resume-window-ms 0}). */
    private final SessionKeeper sessions;

    public NativeDialect(DialectContext context) {
        this.switchboard = context.switchboard();
        this.config = context.config();
        this.meters = context.metrics().dialect(NAME, REALM);
        this.limits = new SocketLimits(config.messageBytes(), config.hardFrameBytes(), config.heartbeatMs(),
                config.idleTimeoutMs());
        this.roomPolicy = new RoomPolicy(config.roomCapacity(), true);
        this.ice = IceBroker.from(config);
        ice.keepTwilioFresh(context.timers());
        this.decoder = new NativeDecoder(config.maxJsonDepth(), config.messageBytes(), config.maxMetaBytes());
        this.tokens = TokenVerifier.create(config.auth());
        this.metrics = context.metrics();
        this.sessions = config.resume().enabled()
                ? new SessionKeeper(switchboard, context.timers(), config.resume().windowMs(), config.resume().maxHeld(), REALM)
                : null;
        if (sessions != null) {
            Gauge.builder("signalman_sessions_waiting", sessions, SessionKeeper::waiting)
                    .description("Native sessions whose connection was lost, waiting for their client to resume")
                    .register(metrics.registry());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int defaultPort() {
        return 8080;
    }

    @Override
    public SocketLimits limits() {
        return limits;
    }

    @Override
    public void mountOnMain(Routes routes) {
        routes.exact("/v1/ws", this);
    }

    @Override
    public void mountAtRoot(Routes routes) {
        routes.prefix("/", this);
    }

    @Override
    public ChannelHandler open(Channel channel, FullHttpRequest request, String rest) {
        return new NativeSession(this, channel, admit(request));
    }

    /**
     * Checks the request's {@code token} against the configured keys, when there are any, and takes
     * its {@code resume} token.
     */
    private Admission admit(FullHttpRequest request) {
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        String resume = first(query, "resume");
        if (tokens == null) return new Admission(null, null, resume);
        String token = first(query, "token");
        if (token == null && !config.auth().required()) return new Admission(null, null, resume);
        try {
            Identity identity = tokens.verify(token);
            countAuth("ok");
            return new Admission(identity, null, resume);
        } catch (TokenRejected rejected) {
            countAuth(rejected.reason());
            return new Admission(null, rejected.getMessage(), null);
        }
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }

    void countResume(String result) {
        metrics.counter("signalman_resume_total", "Native ?resume= attempts by result", "result", result).increment();
    }

    void countAuth(String result) {
        metrics.counter("signalman_auth_total", "Native token checks by result", "result", result).increment();
    }

    /**
     * What the query said about a new connection.
     *
     * @param identity    the verified identity, or null for an anonymous peer
     * @param refusal     why the connection is refused, or null
     * @param resumeToken the session it asks to resume, or null
     */
    record Admission(Identity identity, String refusal, String resumeToken) {}

    SessionKeeper sessions() {
        return sessions;
    }

    Switchboard switchboard() {
        return switchboard;
    }

    DialectMeters meters() {
        return meters;
    }

    RoomPolicy roomPolicy() {
        return roomPolicy;
    }

    IceBroker ice() {
        return ice;
    }

    ServerConfig config() {
        return config;
    }

    NativeDecoder decoder() {
        return decoder;
    }
}
