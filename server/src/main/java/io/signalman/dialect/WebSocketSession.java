package io.signalman.dialect;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.signalman.core.Event;
import io.signalman.core.Outlet;
import io.signalman.ops.DialectMeters;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.signalman.transport.ConnectionGuard;
import io.signalman.transport.Endpoint;
import io.signalman.transport.Sockets;
import io.signalman.transport.TokenBucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of every dialect's connection handler that is not about its wire format: start after
 * the upgrade, count frames, hand text frames over as bytes, release buffers, write finished frames
 * from any thread, and end the session when the channel closes.
 *
 * <p>Inbound methods run on the connection's event loop; {@link #deliver} may run on any thread.
 */
public abstract class WebSocketSession extends ChannelInboundHandlerAdapter implements Outlet {
    private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);

    /** Per event-loop scratch array the current frame is copied into; grows on demand, never shrinks. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[4096];
        }
    };

    private static final io.netty.util.AttributeKey<Boolean> EVICTED = io.netty.util.AttributeKey.valueOf("signalman.slowReader");

    protected final Channel channel;
    protected final DialectMeters meters;
    private boolean started;
    private ConnectionGuard guard;
    private TokenBucket rate;
    private int rateStrikes;
    private final Object heldLock = new Object();
    /** Where events go instead of this connection, once it is closing but the session lives on. */
    private volatile Outlet redirect;
    /** Events that wait for the session to greet its client; null when they flow. */
    private volatile java.util.List<Event> heldEvents;
    /** Holds not yet released: events flow again only when every one that wanted them back is done. */
    private int holds;

    protected WebSocketSession(Channel channel, DialectMeters meters) {
        this.channel = channel;
        this.meters = meters;
    }

    /** The upgrade is complete: register with the core, greet the client if the protocol does. */
    protected abstract void onStart();

    /**
     * A text frame. {@code frame[0, length)} is valid only during this call (the array is reused
     * for the next frame), so keep copies, not the array.
     */
    protected abstract void onText(byte[] frame, int length, long receivedNanos);

    /** A binary frame; ignored unless the dialect answers it. */
    protected void onBinary() {}

    /** The connection has ended; leave the core. Called once, and only after {@link #onStart()}. */
    protected abstract void onClose();

    /** Turns a core event other than a relay into frames; relays are written as they are. */
    protected abstract void onEvent(Event event);

    /**
     * A frame arrived faster than the connection's rate allows and was dropped. Dialects with an
     * error frame say so; the others drop silently, as their protocols have no way to tell.
     */
    protected void onRateLimited() {}

    /**
     * The client has sent a close frame; the connection ends when the echo is out. Sessions that
     * outlive their connection stop using it now ({@link #redirectEvents}).
     */
    protected void onClientClosing() {}

    /** From now on, events for this session go to {@code outlet}, not to this connection. */
    protected final void redirectEvents(Outlet outlet) {
        redirect = outlet;
    }

    /** An operator removed this peer; the default closes with 1008. */
    protected void onKicked(String reason) {
        closeForPolicy(WebSocketCloseStatus.POLICY_VIOLATION.code(), "kicked");
    }

    /** The node drains; dialects that can tell their clients to reconnect elsewhere do. */
    protected void onGoingAway(long reconnectMs) {}

    @Override
    public final void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Endpoint.SessionStart.INSTANCE) {
            started = true;
            guard = ctx.channel().attr(ConnectionGuard.KEY).get();
            if (guard != null) {
                rate = new TokenBucket(guard.limits().messagesPerSecond(), guard.limits().messageBurst());
            }
            meters.connectionOpened();
            onStart();
        } else if (evt == Endpoint.ClientClosing.INSTANCE) {
            if (started) onClientClosing();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!started) return;
            if ((msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) && !withinRate()) return;
            if (msg instanceof TextWebSocketFrame text) {
                meters.frameIn();
                long receivedNanos = System.nanoTime();
                ByteBuf content = text.content();
                int length = content.readableBytes();
                byte[] frame = SCRATCH.get();
                if (frame.length < length) {
                    frame = new byte[Math.max(length, frame.length * 2)];
                    SCRATCH.set(frame);
                }
                content.getBytes(content.readerIndex(), frame, 0, length);
                onText(frame, length, receivedNanos);
            } else if (msg instanceof BinaryWebSocketFrame) {
                meters.frameIn();
                onBinary();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Takes a token for an inbound frame; a connection that keeps flooding is closed. */
    private boolean withinRate() {
        if (rate == null || rate.tryTake(System.nanoTime())) {
            rateStrikes = 0;
            return true;
        }
        meters.frameIn();
        meters.error("rate-limited");
        guard.refused("rate");
        if (++rateStrikes >= guard.limits().rateStrikes()) {
            if (rateStrikes == guard.limits().rateStrikes()) {
                // Counted and logged at a sane rate by the guard; the detail is for debugging.
                log.debug("closing {} from {}: it kept sending faster than {} frames/s", getClass().getSimpleName(),
                        channel.remoteAddress(), guard.limits().messagesPerSecond());
                closeForPolicy(WebSocketCloseStatus.POLICY_VIOLATION.code(), "rate limit");
            }
            return false;
        }
        onRateLimited();
        return false;
    }

    @Override
    public final void channelInactive(ChannelHandlerContext ctx) {
        if (started) {
            started = false;
            meters.connectionClosed();
            onClose();
        }
        ctx.fireChannelInactive();
    }

    /**
     * Called by the core from the thread that caused the event. Writes from other threads queue on
     * this connection's event loop; a write from the loop itself would overtake them, and members
     * would see presence out of the order the core gave it. So a call on the loop queues as well.
     */
    @Override
    public final void deliver(Event event) {
        Outlet elsewhere = redirect;
        if (elsewhere != null) {
            elsewhere.deliver(event);
            return;
        }
        if (heldEvents != null) {
            synchronized (heldLock) {
                if (heldEvents != null) {
                    heldEvents.add(event);
                    return;
                }
            }
        }
        if (channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> dispatch(event));
        } else {
            dispatch(event);
        }
    }

    /**
     * Keeps events back until {@link #releaseEvents()}: for a session whose greeting must go first
     * but depends on work that completes elsewhere (a session taken over from another node).
     */
    protected final void holdEvents() {
        synchronized (heldLock) {
            if (heldEvents == null) heldEvents = new java.util.ArrayList<>();
            holds++;
        }
    }

    /**
     * Ends one {@link #holdEvents()}; when none is left, writes the events kept back, in order, and
     * events flow again. Call on the event loop.
     */
    protected final void releaseEvents() {
        java.util.List<Event> list;
        synchronized (heldLock) {
            if (holds > 0 && --holds > 0) return;
            list = heldEvents;
            heldEvents = null;
        }
        if (list != null) list.forEach(this::dispatch);
    }

    /**
     * Hands the events kept back to {@code outlet} instead of this connection, which is gone, and
     * ends every hold: for a session that outlives its connection while a request kept events back.
     */
    protected final void handHeldEventsTo(Outlet outlet) {
        java.util.List<Event> list;
        synchronized (heldLock) {
            list = heldEvents;
            heldEvents = null;
            holds = 0;
        }
        if (list != null) list.forEach(outlet::deliver);
    }

    private void dispatch(Event event) {
        if (event instanceof Event.Relayed relayed) {
            send(relayed.payload());
            meters.relayed(relayed.receivedNanos());
        } else if (event instanceof Event.Kicked kicked) {
            onKicked(kicked.reason());
        } else if (event instanceof Event.GoingAway away) {
            onGoingAway(away.reconnectMs());
        } else {
            onEvent(event);
        }
    }

    /** Writes one finished text frame; safe from any thread. The array must not change afterwards. */
    protected final void send(byte[] frame) {
        if (!channel.isWritable()) {
            if (!channel.isActive()) return; // closing: nothing more will be read
            if (guard != null) {
                evictSlowReader();
                return;
            }
        }
        meters.frameOut();
        channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)), channel.voidPromise());
    }

    /**
     * The client reads slower than it is sent to and its queue passed the limit (the channel's high
     * water mark): holding more would let one stuck reader grow the node's memory, so it goes.
     */
    private void evictSlowReader() {
        if (channel.attr(EVICTED).setIfAbsent(Boolean.TRUE) != null) return;
        guard.refused("slow-reader");
        meters.error("slow-reader");
        log.debug("closing {} from {}: more than {} bytes queued for it", getClass().getSimpleName(),
                channel.remoteAddress(), guard.limits().outboundQueueBytes());
        Sockets.markClosedForCause(channel);
        channel.close();
    }

    /**
     * Closes the connection because of what its client did (not because the transport failed), so
     * that {@link #closedByPolicy()} tells {@link #onClose()} not to keep the session for a comeback.
     */
    protected final void closeForPolicy(int status, String reason) {
        Sockets.closeForCause(channel, status, reason);
    }

    /**
     * Whether the server closed this connection for cause (flooding, a bad frame, a slow reader, a
     * kick, an eviction).
     */
    protected final boolean closedByPolicy() {
        return Sockets.closedForCause(channel);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.nio.channels.ClosedChannelException) {
            ctx.close(); // a write raced with the close; nothing is lost that anyone could still read
            return;
        }
        if (cause instanceof java.io.IOException) {
            // A reset or broken pipe is the client's network going away, not a fault of ours: a
            // warning with a stack trace for each would bury the log when many clients drop at once.
            log.debug("{} connection lost: {}", getClass().getSimpleName(), cause.toString());
            ctx.close();
            return;
        }
        log.warn("{} session failed: {}", getClass().getSimpleName(), cause.toString(), cause);
        ctx.close();
    }
}
