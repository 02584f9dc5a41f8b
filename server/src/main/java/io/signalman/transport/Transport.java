package io.signalman.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The event loops every listener shares: native epoll when the platform has it, NIO otherwise.
 * A worker per core and no thread per connection. Listeners accept on a worker too: a separate
 * acceptor thread would hand every new connection over with a wake-up and a context switch, which
 * on a busy core costs more than the accept itself.
 */
public final class Transport implements AutoCloseable {

    private final boolean epoll;
    private final EventLoopGroup workers;

    public Transport(int workerThreads) {
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.workers = new MultiThreadIoEventLoopGroup(workerThreads, factory);
    }

    public boolean isEpoll() {
        return epoll;
    }

    EventLoopGroup workers() {
        return workers;
    }

    /** The worker event loops, for dialect timers (tasks must not block). */
    public java.util.concurrent.ScheduledExecutorService timers() {
        return workers;
    }

    Class<? extends ServerChannel> serverChannelType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    @Override
    public void close() {
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
