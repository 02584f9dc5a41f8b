package io.signalman.transport.socketio;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import com.corundumstudio.socketio.transport.NamespaceClient;
import io.signalman.transport.AbuseLimits;
import io.signalman.transport.ConnectionGuard;
import io.signalman.transport.TokenBucket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * netty-socketio's namespace registry with one change: the default namespace (the only one our
 * dialects use) takes a token from the sending session's bucket before it dispatches an event, as
 * {@code WebSocketSession} does for each frame of the plain-WebSocket dialects. An event over the
 * rate is dropped (no listener runs, no ack is sent) and counted as {@code rate}; after the configured
 * number of drops in a row the session is disconnected.
 *
 * <p>The bucket belongs to the Engine.IO session, not to a TCP connection: a long-polling client
 * opens a new connection for nearly every request, and a limit per connection would not hold.
 */
final class RateLimitedNamespaces extends NamespacesHub {
    private final Namespace main;

    RateLimitedNamespaces(Configuration config, ConnectionGuard guard) {
        super(config);
        this.main = guard == null ? new Namespace(Namespace.DEFAULT_NAME, config) : new Limited(config, guard);
    }

    @Override
    public Namespace create(String name) {
        return Namespace.DEFAULT_NAME.equals(name) ? main : super.create(name);
    }

    @Override
    public Namespace get(String name) {
        return Namespace.DEFAULT_NAME.equals(name) ? main : super.get(name);
    }

    @Override
    public Collection<SocketIONamespace> getAllNamespaces() {
        List<SocketIONamespace> all = new ArrayList<>(super.getAllNamespaces());
        all.add(main);
        return all;
    }

    /** The default namespace with a per-session event budget. */
    private static final class Limited extends Namespace {
        private static final Logger log = LoggerFactory.getLogger(RateLimitedNamespaces.class);
        private static final String RATE = "signalman.rate";

        private final ConnectionGuard guard;

        Limited(Configuration config, ConnectionGuard guard) {
            super(Namespace.DEFAULT_NAME, config);
            this.guard = guard;
        }

        @Override
        public void onConnect(com.corundumstudio.socketio.SocketIOClient client) {
            client.set(PollingBacklog.GUARD, guard);
            super.onConnect(client);
        }

        @Override
        public void onEvent(NamespaceClient client, String eventName, List<Object> args, AckRequest ackRequest) {
            if (withinRate(client)) super.onEvent(client, eventName, args, ackRequest);
        }

        private boolean withinRate(NamespaceClient client) {
            SessionRate rate = client.get(RATE);
            if (rate == null) {
                // Two polling requests of one session can arrive on two event loops at once.
                synchronized (client.getBaseClient()) {
                    rate = client.get(RATE);
                    if (rate == null) {
                        rate = new SessionRate(guard.limits());
                        client.set(RATE, rate);
                    }
                }
            }
            int strikes;
            synchronized (rate) {
                if (rate.bucket.tryTake(System.nanoTime())) {
                    rate.strikes = 0;
                    return true;
                }
                strikes = ++rate.strikes;
            }
            guard.refused("rate");
            if (strikes == guard.limits().rateStrikes()) {
                log.debug("disconnecting Socket.IO session {} from {}: it kept sending faster than {} events/s",
                        client.getSessionId(), client.getRemoteAddress(), guard.limits().messagesPerSecond());
                ClientHead session = client.getBaseClient();
                session.disconnect();
            }
            return false;
        }
    }

    /** A session's token bucket and its refusals in a row; guarded by its own monitor. */
    private static final class SessionRate {
        final TokenBucket bucket;
        int strikes;

        SessionRate(AbuseLimits limits) {
            bucket = new TokenBucket(limits.messagesPerSecond(), limits.messageBurst());
        }
    }
}
