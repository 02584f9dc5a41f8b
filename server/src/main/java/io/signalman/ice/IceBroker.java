package io.signalman.ice;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalman.config.IceServer;
import io.signalman.config.ServerConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one place a dialect gets ICE servers for a client from. It combines the node's static
 * {@code --ice-server} entries with TURN credentials minted for coturn's REST scheme
 * ({@link TurnRestCredentials}), and with Twilio Network Traversal Service tokens when a Twilio
 * account is configured ({@code TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}): fetched per request
 * for dialects that may wait ({@link #twilioServers}), or kept fresh for those that answer at once
 * ({@link #keepTwilioFresh}).
 *
 * <p>{@link #grant} never blocks and is safe from any thread, so a session can call it on its event
 * loop; a dialect that hands out expiring credentials asks again before {@link IceGrant#ttlSeconds()}
 * runs out.
 */
public final class IceBroker {
    static final String TWILIO_SID_VARIABLE = "TWILIO_ACCOUNT_SID";
    static final String TWILIO_TOKEN_VARIABLE = "TWILIO_AUTH_TOKEN";

    /** How soon a failed Twilio request is tried again. */
    private static final long TWILIO_RETRY_MS = 30_000;

    private final List<IceServer> statics;
    private final TurnRestCredentials turn;
    private final TwilioTokens twilio;
    private final Clock clock;
    /** The token kept fresh by {@link #keepTwilioFresh}, and when it expires (epoch ms); null before the first. */
    private volatile List<IceServer> twilioServers;
    private volatile long twilioExpiresMillis;

    private IceBroker(List<IceServer> statics, TurnRestCredentials turn, TwilioTokens twilio, Clock clock) {
        this.statics = List.copyOf(statics);
        this.turn = turn;
        this.twilio = twilio;
        this.clock = clock;
    }

    /** A broker for the node's configuration, on the system clock. */
    public static IceBroker from(ServerConfig config) {
        return from(config, Clock.systemUTC());
    }

    /** A broker for the node's configuration; {@code clock} dates the minted credentials. */
    public static IceBroker from(ServerConfig config, Clock clock) {
        IceBroker broker = new IceBroker(config.iceServers(),
                config.turn().enabled() ? new TurnRestCredentials(config.turn(), clock) : null, null, clock);
        String sid = config.originalEnvironment().get(TWILIO_SID_VARIABLE);
        String token = config.originalEnvironment().get(TWILIO_TOKEN_VARIABLE);
        return sid != null && token != null ? broker.withTwilio(sid, token, config.twilioBaseUrl()) : broker;
    }

    /** A broker with static entries and optional minting ({@link TurnOptions#off()} for none). */
    public static IceBroker of(List<IceServer> statics, TurnOptions turn, Clock clock) {
        return new IceBroker(statics, turn.enabled() ? new TurnRestCredentials(turn, clock) : null, null, clock);
    }

    /** This broker, also able to fetch Twilio tokens for the account at {@code baseUrl}. */
    public IceBroker withTwilio(String accountSid, String authToken, String baseUrl) {
        return new IceBroker(statics, turn, new TwilioTokens(accountSid, authToken, baseUrl), clock);
    }

    /**
     * The static entries plus, when minting is configured, one TURN entry whose username names
     * {@code user} (a peer id, a socket id). Its TTL is the minting TTL, or 0 when nothing expires.
     */
    public IceGrant grant(String user) {
        List<IceServer> fromTwilio = twilioServers;
        long twilioLeft = fromTwilio == null ? 0 : (twilioExpiresMillis - clock.millis()) / 1000;
        if (twilioLeft <= 0) fromTwilio = null; // expired: better none than credentials TURN refuses
        if (turn == null && fromTwilio == null) return new IceGrant(statics, 0);
        List<IceServer> servers = new ArrayList<>(statics);
        long ttl = Long.MAX_VALUE;
        if (turn != null) {
            servers.add(turn.mint(user));
            ttl = turn.ttlSeconds();
        }
        if (fromTwilio != null) {
            servers.addAll(fromTwilio);
            ttl = Math.min(ttl, twilioLeft);
        }
        return new IceGrant(servers, ttl);
    }

    /**
     * Keeps a Twilio token at hand for {@link #grant} (the native protocol answers at once, so it
     * cannot wait for Twilio per client): fetched now, again at four fifths of its TTL, and every
     * 30 s after a failed request. A broker without a Twilio account ignores this.
     */
    public void keepTwilioFresh(ScheduledExecutorService timers) {
        if (twilio == null) return;
        twilio.fetchToken().whenComplete((token, failure) -> {
            long next = TWILIO_RETRY_MS;
            if (token != null) {
                twilioServers = fromTwilio(token.servers());
                twilioExpiresMillis = clock.millis() + token.ttlSeconds() * 1000;
                next = (long) (token.ttlSeconds() * 1000 * IceGrant.REFRESH_AT);
            }
            try {
                timers.schedule(() -> keepTwilioFresh(timers), next, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                // the node stops: nothing more to keep fresh
            }
        });
    }

    /** Twilio's entries ({@code urls} or the legacy {@code url}) as RTCIceServer entries. */
    static List<IceServer> fromTwilio(JsonNode servers) {
        List<IceServer> list = new ArrayList<>();
        for (JsonNode entry : servers) {
            JsonNode urls = entry.has("urls") ? entry.get("urls") : entry.get("url");
            if (urls == null) continue;
            List<String> names = new ArrayList<>();
            if (urls.isArray()) {
                urls.forEach(url -> names.add(url.asText()));
            } else {
                names.add(urls.asText());
            }
            JsonNode username = entry.get("username");
            JsonNode credential = entry.get("credential");
            list.add(new IceServer(names, username == null ? null : username.asText(),
                    credential == null ? null : credential.asText()));
        }
        return list;
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
