package io.signalman.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.signalman.SignalmanServer;
import io.signalman.bench.MaskedFrames;
import io.signalman.config.ListenerSpec;
import io.signalman.config.ServerConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A native connection's whole life without the kernel, through the pipeline a listener gives every
 * accepted connection: the HTTP upgrade request in, the 101 and the welcome out, a join in and its
 * answer out, a close frame in and its echo out, the channel closed. {@code main} is the main
 * listener, which also serves Socket.IO; {@code native} a listener of the native dialect alone
 * ({@code --listen native@...}). It lives in the transport package because a listener's pipeline
 * set-up is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class ConnectBenchmark {
    private static final String UPGRADE_REQUEST = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    /** Which listener's pipeline: {@code main} (with Socket.IO) or {@code native} (one dialect). */
    @Param({"main", "native"})
    public String listener;

    private SignalmanServer server;
    private ChannelHandler childHandler;
    private byte[] upgrade;
    private byte[] join;
    private byte[] close;

    @Setup(Level.Trial)
    public void setUp() {
        ServerConfig config = ServerConfig.defaults()
                .withAbuse(AbuseLimits.unlimited())
                .withListener(ListenerSpec.parse("native@127.0.0.1:0", "127.0.0.1"), Map.of());
        server = SignalmanServer.start(config);
        Listener chosen = server.listeners().stream()
                .filter(l -> listener.equals("main") ? l.name().equals("main") : !l.name().equals("main"))
                .findFirst().orElseThrow();
        childHandler = chosen.childHandler();
        upgrade = String.format(UPGRADE_REQUEST, listener.equals("main") ? "/v1/ws" : "/").getBytes(StandardCharsets.US_ASCII);
        join = MaskedFrames.of(new TextWebSocketFrame("{\"type\":\"join\",\"room\":\"bench\"}"));
        close = MaskedFrames.of(new CloseWebSocketFrame(1000, ""));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        server.close();
    }

    /** One connection from its upgrade request to its close; returns the bytes the server wrote. */
    @Benchmark
    public int connect() {
        return connect(null);
    }

    /** What the server wrote on one connection, as text (for the smoke test). */
    String transcriptOfOneConnection() {
        StringBuilder transcript = new StringBuilder();
        connect(transcript);
        return transcript.toString();
    }

    private int connect(StringBuilder transcript) {
        EmbeddedChannel channel = new LoopbackChannel(childHandler);
        channel.writeInbound(Unpooled.wrappedBuffer(upgrade));
        int written = drain(channel, transcript);
        // Fresh copies: the WebSocket decoder unmasks a frame in place.
        channel.writeInbound(Unpooled.wrappedBuffer(join.clone()));
        written += drain(channel, transcript);
        channel.writeInbound(Unpooled.wrappedBuffer(close.clone()));
        written += drain(channel, transcript);
        channel.close();
        channel.runPendingTasks();
        return written;
    }

    /** What the server wrote so far, released; runs the tasks its writes queued first. */
    private static int drain(EmbeddedChannel channel, StringBuilder transcript) {
        channel.runPendingTasks();
        int bytes = 0;
        Object out;
        while ((out = channel.readOutbound()) != null) {
            if (out instanceof ByteBuf buf) {
                bytes += buf.readableBytes();
                if (transcript != null) transcript.append(buf.toString(StandardCharsets.ISO_8859_1));
            }
            ReferenceCountUtil.release(out);
        }
        return bytes;
    }

    /** An embedded channel with the addresses of a loopback TCP connection, which the door policy reads. */
    private static final class LoopbackChannel extends EmbeddedChannel {
        private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 8080);
        private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 40000);

        LoopbackChannel(ChannelHandler initializer) {
            super(initializer);
        }

        @Override
        protected SocketAddress localAddress0() {
            return LOCAL;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return REMOTE;
        }
    }
}
