package io.signalman.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The node's door policy, shared by every listener: how many connections one IP address may hold
 * and open per second, which browser origins may open WebSockets, per-connection frame rates, the
 * outbound queue a slow reader may fill, and whether the node is draining (then no new sessions).
 * Refusals are reported by reason to a counter callback, so that ops can count them without this
 * package knowing about metrics.
 */
public final class ConnectionGuard {
    /** Where a connection finds the guard that admitted it (read by sessions for their limits). */
    public static final AttributeKey<ConnectionGuard> KEY = AttributeKey.valueOf("signalman.guard");

    private final AbuseLimits limits;
    private final Consumer<String> refusals;
    private final Map<InetAddress, Address> addresses = new ConcurrentHashMap<>();
    private volatile boolean draining;

    /** @param refusals called with a reason ({@code per-ip}, {@code ip-rate}, {@code origin}, ...) on each refusal */
    public ConnectionGuard(AbuseLimits limits, Consumer<String> refusals) {
        this.limits = limits;
        this.refusals = refusals;
    }

    public AbuseLimits limits() {
        return limits;
    }

    /** Counts a refusal or an eviction by its reason. */
    public void refused(String reason) {
        refusals.accept(reason);
    }

    /**
     * Admits a new TCP connection, or says no when its address holds too many or opens them too
     * fast. An admitted connection is released when it closes.
     */
    public boolean admit(Channel channel) {
        InetAddress ip = ip(channel);
        if (ip == null) return true;
        Address address = addresses.computeIfAbsent(ip, a -> new Address(limits.newConnectionsPerSecond()));
        String refusal = address.tryOpen(limits);
        if (refusal != null) {
            refused(refusal);
            return false;
        }
        channel.attr(KEY).set(this);
        channel.closeFuture().addListener(f -> address.open.decrementAndGet());
        return true;
    }

    /** Drops the state of addresses that hold no connection and whose rate budget has refilled. */
    public void sweep() {
        long now = System.nanoTime();
        addresses.entrySet().removeIf(e -> e.getValue().isIdle(now, limits.newConnectionsPerSecond()));
    }

    /** Whether a WebSocket (or Socket.IO) request with this {@code Origin} header may proceed. */
    public boolean originAllowed(String origin) {
        // Only browsers send Origin; programs that omit it are not what an allow-list is about.
        return origin == null || limits.allowedOrigins().isEmpty() || limits.allowedOrigins().contains(origin);
    }

    /** From now on new sessions are refused (plain HTTP such as /readyz keeps answering). */
    public void startDraining() {
        draining = true;
    }

    public boolean isDraining() {
        return draining;
    }

    /** Open connections per address now (for tests and the admin API). */
    public int openFrom(InetAddress ip) {
        Address address = addresses.get(ip);
        return address == null ? 0 : address.open.get();
    }

    private static InetAddress ip(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress socket ? socket.getAddress() : null;
    }

    /** One IP address: its open connections and a token bucket of new ones. */
    private static final class Address {
        final AtomicInteger open = new AtomicInteger();
        private final TokenBucket connects;

        Address(double perSecond) {
            int burst = (int) Math.max(1, Math.ceil(perSecond));
            connects = new TokenBucket(perSecond, burst);
        }

        String tryOpen(AbuseLimits limits) {
            synchronized (this) {
                if (!connects.tryTake(System.nanoTime())) return "ip-rate";
            }
            if (open.incrementAndGet() > limits.connectionsPerIp()) {
                open.decrementAndGet();
                return "per-ip";
            }
            return null;
        }

        synchronized boolean isIdle(long now, double perSecond) {
            return open.get() == 0 && connects.isFull(now);
        }
    }
}
