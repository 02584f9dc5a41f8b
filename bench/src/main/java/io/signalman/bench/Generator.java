package io.signalman.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client side of the load: Netty event loops (epoll when available, a few threads, no thread
 * per connection) and WebSocket connections bound to source addresses spread over 127.0.0.x, so
 * that tens of thousands of connections (and churn's TIME_WAIT sockets) do not exhaust one
 * address's ephemeral ports.
 */
final class Generator implements AutoCloseable {
    private static final int MAX_FRAME = 1 << 20;

    private final EventLoopGroup group;
    private final boolean epoll;
    private final List<InetAddress> sources = new ArrayList<>();
    private final AtomicInteger nextSource = new AtomicInteger();

    /**
     * @param firstSource last octet of the first source address (127.0.0.firstSource)
     * @param sourceCount how many consecutive source addresses to use; 0 lets the kernel choose
     */
    Generator(int threads, int firstSource, int sourceCount) {
        epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(threads, factory);
        try {
            for (int i = 0; i < sourceCount; i++) {
                int octet = firstSource + i;
                sources.add(InetAddress.getByAddress(new byte[] {127, (byte) ((octet >> 16) & 0xff),
                        (byte) ((octet >> 8) & 0xff), (byte) (octet & 0xff)}));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean isEpoll() {
        return epoll;
    }

    /** Starts connecting {@code client} to its URI; the client's adapter takes over after the handshake. */
    ChannelFuture connect(URI base, Client client) {
        URI uri = client.uri(base);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .version(WebSocketVersion.V13)
                .customHeaders(new DefaultHttpHeaders())
                .maxFramePayloadLength(MAX_FRAME)
                .handshakeTimeoutMillis(TimeUnit.SECONDS.toMillis(30))
                .dropPongFrames(true)
                .build();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new HttpClientCodec());
                        p.addLast(new HttpObjectAggregator(64 * 1024));
                        p.addLast(new WebSocketClientProtocolHandler(config));
                        p.addLast(new WebSocketFrameAggregator(MAX_FRAME));
                        p.addLast(client);
                    }
                });
        if (epoll) {
            // The port is chosen at connect time from the whole 4-tuple, not at bind time.
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        InetSocketAddress remote = new InetSocketAddress(uri.getHost(), port);
        ChannelFuture future = sources.isEmpty()
                ? bootstrap.connect(remote)
                : bootstrap.connect(remote, new InetSocketAddress(
                        sources.get(Math.floorMod(nextSource.getAndIncrement(), sources.size())), 0));
        client.channel = future.channel();
        future.addListener(f -> {
            if (!f.isSuccess()) {
                client.fail("connect: " + f.cause());
                client.ended();
            }
        });
        return future;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
