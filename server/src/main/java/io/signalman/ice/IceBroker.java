package io.signalman.ice;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalman.config.IceServer;
import io.signalman.config.ServerConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one place a dialect gets ICE servers for a client from. It combines the node's static
 * {@code --ice-server} entries with TURN credentials minted for coturn's REST scheme
 * ({@link TurnRestCredentials}), and can fetch a Twilio Network Traversal Service token when a Twilio
 * account is configured ({@code TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}).
 *
 * <p>{@link #grant} never blocks and is safe from any thread, so a session can call it on its event
 * loop; a dialect that hands out expiring credentials asks again before {@link IceGrant#ttlSeconds()}
 * runs out.
 */
public final class IceBroker {
    static final String TWILIO_SID_VARIABLE = "TWILIO_ACCOUNT_SID";
    static final String TWILIO_TOKEN_VARIABLE = "TWILIO_AUTH_TOKEN";

    private final List<IceServer> statics;
    private final TurnRestCredentials turn;
    private final TwilioTokens twilio;

    private IceBroker(List<IceServer> statics, TurnRestCredentials turn, TwilioTokens twilio) {
        this.statics = List.copyOf(statics);
        this.turn = turn;
        this.twilio = twilio;
    }

    /** A broker for the node's configuration, on the system clock. */
    public static IceBroker from(ServerConfig config) {
        return from(config, Clock.systemUTC());
    }

    /** A broker for the node's configuration; {@code clock} dates the minted credentials. */
    public static IceBroker from(ServerConfig config, Clock clock) {
        IceBroker broker = new IceBroker(config.iceServers(),
                config.turn().enabled() ? new TurnRestCredentials(config.turn(), clock) : null, null);
        String sid = config.originalEnvironment().get(TWILIO_SID_VARIABLE);
        String token = config.originalEnvironment().get(TWILIO_TOKEN_VARIABLE);
        return sid != null && token != null ? broker.withTwilio(sid, token, config.twilioBaseUrl()) : broker;
    }

    /** A broker with static entries and optional minting ({@link TurnOptions#off()} for none). */
    public static IceBroker of(List<IceServer> statics, TurnOptions turn, Clock clock) {
        return new IceBroker(statics, turn.enabled() ? new TurnRestCredentials(turn, clock) : null, null);
    }

    /** This broker, also able to fetch Twilio tokens for the account at {@code baseUrl}. */
    public IceBroker withTwilio(String accountSid, String authToken, String baseUrl) {
        return new IceBroker(statics, turn, new TwilioTokens(accountSid, authToken, baseUrl));
    }

    /**
     * The static entries plus, when minting is configured, one TURN entry whose username names
     * {@code user} (a peer id, a socket id). Its TTL is the minting TTL, or 0 when nothing expires.
     */
    public IceGrant grant(String user) {
        if (turn == null) return new IceGrant(statics, 0);
        List<IceServer> servers = new ArrayList<>(statics.size() + 1);
        servers.addAll(statics);
        servers.add(turn.mint(user));
        return new IceGrant(servers, turn.ttlSeconds());
    }

    /** Whether a Twilio account is configured. */
    public boolean hasTwilio() {
        return twilio != null;
    }

    /**
     * A fresh Twilio token's {@code ice_servers} as Twilio wrote them, or null when the request failed
     * (or no account is configured). Never blocks.
     */
    public CompletableFuture<JsonNode> twilioServers() {
        return twilio == null ? CompletableFuture.completedFuture(null) : twilio.fetch();
    }
}
