package io.signalman.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.signalman.transport.socketio.SocketIoServer;
import java.net.InetSocketAddress;

/**
 * One bound port: optional TLS, HTTP/1.1, and the {@link Routes} it serves. Every connection is
 * tracked so that shutdown can close them.
 */
public final class Listener implements AutoCloseable {

    /** Largest HTTP request (headers and body) accepted before the upgrade. */
    private static final int MAX_HTTP_REQUEST_BYTES = 64 * 1024;

    private final String name;
    private final InetSocketAddress address;
    private final ListenerTls tls;
    private final Routes routes;
    private final SocketIoServer socketIo;
    private final ConnectionGuard guard;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;
    private ChannelHandler childHandler;

    /**
     * @param tls      the listener's TLS (its certificate may change while it runs), or null for plain HTTP
     * @param socketIo the Socket.IO server this port also serves, or null
     * @param guard    the node's door policy, or null to admit everything
     */
    public Listener(String name, InetSocketAddress address, ListenerTls tls, Routes routes, SocketIoServer socketIo,
            ConnectionGuard guard) {
        this.guard = guard;
        this.name = name;
        this.address = address;
        this.tls = tls;
        this.routes = routes;
        this.socketIo = socketIo;
    }

    /** Binds the port; throws if it cannot. */
    public Listener start(Transport transport) throws InterruptedException {
        childHandler = newChildHandler();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(transport.workers(), transport.workers())
                .channel(transport.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // No TCP_NODELAY option: Netty's socket configurations turn Nagle off on every
                // accepted socket already, and asking again costs a system call per connection.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .childHandler(childHandler);
        serverChannel = bootstrap.bind(address).sync().channel();
        return this;
    }

    /**
     * What sets up each accepted connection's pipeline, once the listener has started.
     * Package-private for the connect benchmark, which runs it on embedded channels.
     */
    ChannelHandler childHandler() {
        return childHandler;
    }

    private ChannelHandler newChildHandler() {
        if (socketIo != null) return socketIoPipeline();
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (guard != null && !guard.admit(ch)) {
                    ch.close();
                    return;
                }
                connections.add(ch);
                ChannelPipeline p = ch.pipeline();
                if (tls != null) p.addLast("tls", tls.newHandler(ch.alloc()));
                p.addLast("flush", new FlushConsolidationHandler(256, true));
                p.addLast("http", new HttpServerCodec());
                p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HTTP_REQUEST_BYTES));
                p.addLast("router", new HttpRouter(routes, tls != null, null, guard));
            }
        };
    }

    /** Socket.IO's initializer sets the pipeline up (see SocketIoServer), with our router in it. */
    private ChannelHandler socketIoPipeline() {
        return socketIo.channelInitializer(tls, null, () -> new HttpRouter(routes, tls != null, socketIo, guard) {
            @Override
            public void handlerAdded(io.netty.channel.ChannelHandlerContext ctx) {
                if (guard != null && !guard.admit(ctx.channel())) {
                    ctx.close();
                    return;
                }
                connections.add(ctx.channel());
                super.handlerAdded(ctx);
            }
        });
    }

    /**
     * The channel turns unwritable when its queue passes the outbound limit; sessions then evict
     * the reader (see the dialects' session base). Without a guard, Netty's usual marks apply.
     */
    private WriteBufferWaterMark waterMark() {
        if (guard == null) return new WriteBufferWaterMark(64 * 1024, 256 * 1024);
        int high = (int) Math.min(Integer.MAX_VALUE, guard.limits().outboundQueueBytes());
        return new WriteBufferWaterMark(Math.min(64 * 1024, high / 2), high);
    }

    public String name() {
        return name;
    }

    /** The address actually bound (useful when port 0 was asked for). */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public boolean isTls() {
        return tls != null;
    }

    /** The listener's TLS, or null when it serves plain HTTP. */
    public ListenerTls tls() {
        return tls;
    }

    public Routes routes() {
        return routes;
    }

    /** Stops accepting new connections; open ones stay. */
    public void stopAccepting() {
        if (serverChannel != null) serverChannel.close().syncUninterruptibly();
    }

    /** Open connections on this listener. */
    public int connectionCount() {
        return connections.size();
    }

    /** The open connections themselves; package-private for tests of their socket options. */
    ChannelGroup connections() {
        return connections;
    }

    @Override
    public void close() {
        stopAccepting();
        connections.close().awaitUninterruptibly();
        if (socketIo != null) socketIo.stop();
    }
}
