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

    public NativeDialect(DialectContext context) {
        this.switchboard = context.switchboard();
        this.config = context.config();
        this.meters = context.metrics().dialect(NAME, REALM);
        this.limits = new SocketLimits(config.messageBytes(), config.hardFrameBytes(), config.heartbeatMs(),
                config.idleTimeoutMs());
        this.roomPolicy = new RoomPolicy(config.roomCapacity(), true);
        this.ice = IceBroker.from(config);
        this.decoder = new NativeDecoder(config.maxJsonDepth(), config.messageBytes(), config.maxMetaBytes());
        this.tokens = TokenVerifier.create(config.auth());
        this.metrics = context.metrics();
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

    /** Checks the request's {@code token} against the configured keys, when there are any. */
    private Admission admit(FullHttpRequest request) {
        if (tokens == null) return Admission.ANONYMOUS;
        List<String> values = new QueryStringDecoder(request.uri()).parameters().get("token");
        String token = values == null || values.isEmpty() ? null : values.get(0);
        if (token == null && !config.auth().required()) return Admission.ANONYMOUS;
        try {
            Identity identity = tokens.verify(token);
            countAuth("ok");
            return new Admission(identity, null);
        } catch (TokenRejected rejected) {
            countAuth(rejected.reason());
            return new Admission(null, rejected.getMessage());
        }
    }

    void countAuth(String result) {
        metrics.counter("signalman_auth_total", "Native token checks by result", "result", result).increment();
    }

    /**
     * What the token said about a new connection.
     *
     * @param identity the verified identity, or null for an anonymous peer
     * @param refusal  why the connection is refused, or null
     */
    record Admission(Identity identity, String refusal) {
        static final Admission ANONYMOUS = new Admission(null, null);
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
