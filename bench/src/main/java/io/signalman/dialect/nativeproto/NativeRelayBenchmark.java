package io.signalman.dialect.nativeproto;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.util.ReferenceCountUtil;
import io.signalman.bench.MaskedFrames;
import io.signalman.config.ServerConfig;
import io.signalman.core.Event;
import io.signalman.core.Peer;
import io.signalman.core.RoomPolicy;
import io.signalman.core.Switchboard;
import io.signalman.core.engine.LocalEngine;
import io.signalman.dialect.DialectContext;
import io.signalman.ops.Metrics;
import io.signalman.transport.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * The native relay path without the kernel: {@code decode} parses a signal frame, {@code route}
 * passes a finished frame through the switchboard and the in-memory engine, and {@code relay} runs
 * the whole path in Netty's embedded channels: a masked WebSocket frame in on the sender's
 * pipeline, the receiver's WebSocket frame bytes out. It lives in the dialect's package because the
 * decoder and sessions are package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class NativeRelayBenchmark {

    /** Payload bytes: a candidate (200) or an SDP offer (1500). */
    @Param({"200", "1500"})
    public int payload;

    private ScheduledExecutorService timers;
    private NativeDecoder decoder;
    private final NativeRequest request = new NativeRequest();
    private byte[] signalFrame;
    private byte[] maskedSignal;
    private EmbeddedChannel sender;
    private EmbeddedChannel receiver;
    private Switchboard bareSwitchboard;
    private Peer bareFrom;
    private byte[] bareFrame;
    private long bareDelivered;

    @Setup(Level.Trial)
    public void setUp() {
        ServerConfig config = ServerConfig.defaults().withAbuse(io.signalman.transport.AbuseLimits.unlimited());
        timers = Executors.newSingleThreadScheduledExecutor();
        LocalEngine engine = new LocalEngine();
        Switchboard switchboard = new Switchboard(engine, config.maxRoomsPerPeer());
        NativeDialect dialect = new NativeDialect(new DialectContext(switchboard, new Metrics(engine), config, timers));
        decoder = dialect.decoder();

        sender = session(dialect, true);
        receiver = session(dialect, false);
        String senderPeer = welcomePeer(sender);
        String receiverPeer = welcomePeer(receiver);
        inbound(sender, "{\"type\":\"join\",\"room\":\"bench\"}");
        inbound(receiver, "{\"type\":\"join\",\"room\":\"bench\"}");
        drain(sender);
        drain(receiver);

        StringBuilder data = new StringBuilder("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n");
        while (data.length() < payload - 2) data.append("a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\\r\\n");
        data.setLength(payload - 2);
        data.append("\"}");
        String signal = "{\"type\":\"signal\",\"to\":\"" + receiverPeer + "\",\"data\":" + data + "}";
        signalFrame = signal.getBytes(StandardCharsets.UTF_8);
        maskedSignal = masked(signal);

        LocalEngine bareEngine = new LocalEngine();
        bareSwitchboard = new Switchboard(bareEngine, 32);
        bareFrom = bareSwitchboard.connect("bench", "a", event -> { }, Switchboard.DuplicatePolicy.REJECT);
        Peer to = bareSwitchboard.connect("bench", "b", this::countDelivery, Switchboard.DuplicatePolicy.REJECT);
        bareSwitchboard.join(bareFrom, "room", null, new RoomPolicy(50, true));
        bareSwitchboard.join(to, "room", null, new RoomPolicy(50, true));
        bareFrame = signalFrame.clone();
        if (senderPeer.equals(receiverPeer)) throw new IllegalStateException("peers must differ");
    }

    private void countDelivery(Event event) {
        bareDelivered++;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sender.finishAndReleaseAll();
        receiver.finishAndReleaseAll();
        timers.shutdownNow();
    }

    /** Parse one signal frame into a request (byte spans, no object tree). */
    @Benchmark
    public int decode() {
        decoder.decode(signalFrame, signalFrame.length, request);
        return request.dataEnd;
    }

    /** Routing rule check and delivery of a finished frame through the switchboard and LocalEngine. */
    @Benchmark
    public long route() {
        bareSwitchboard.signal(bareFrom, "b", null, bareFrame, 0L);
        return bareDelivered;
    }

    /** A masked client frame in, through WebSocket decoding, the session, the core, and WebSocket encoding out. */
    @Benchmark
    public int relay() {
        if (sender.outboundMessages().size() > 0) throw new IllegalStateException("the sender got an answer: " + drainText(sender));
        // A fresh copy each time: the WebSocket decoder unmasks the payload in place.
        sender.writeInbound(sender.alloc().buffer(maskedSignal.length).writeBytes(maskedSignal));
        receiver.runPendingTasks();
        return drain(receiver);
    }

    private static EmbeddedChannel session(NativeDialect dialect, boolean decodesWire) {
        EmbeddedChannel channel = new EmbeddedChannel();
        if (decodesWire) channel.pipeline().addLast(new WebSocket13FrameDecoder(true, false, 1 << 20));
        else channel.pipeline().addLast(new WebSocket13FrameEncoder(false));
        ChannelHandler session = dialect.open(channel,
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/ws"), "");
        channel.pipeline().addLast(session);
        channel.pipeline().fireUserEventTriggered(Endpoint.SessionStart.INSTANCE);
        channel.runPendingTasks();
        return channel;
    }

    /** The peer id from the welcome a session wrote first. */
    private static String welcomePeer(EmbeddedChannel channel) {
        Object out = channel.readOutbound();
        String text = out instanceof TextWebSocketFrame frame ? frame.text()
                : ((ByteBuf) out).toString(StandardCharsets.UTF_8);
        ReferenceCountUtil.release(out);
        int at = text.indexOf("\"peer\":\"") + 8;
        return text.substring(at, text.indexOf('"', at));
    }

    private static void inbound(EmbeddedChannel channel, String text) {
        if (channel.pipeline().get(WebSocket13FrameDecoder.class) != null) {
            channel.writeInbound(Unpooled.wrappedBuffer(masked(text))); // a one-off array, unmasked in place
        } else {
            channel.writeInbound(new TextWebSocketFrame(text));
        }
        channel.runPendingTasks();
    }

    private static int drain(EmbeddedChannel channel) {
        channel.runPendingTasks();
        int bytes = 0;
        Object out;
        while ((out = channel.readOutbound()) != null) {
            if (out instanceof ByteBuf buf) bytes += buf.readableBytes();
            ReferenceCountUtil.release(out);
        }
        return bytes;
    }

    private static String drainText(EmbeddedChannel channel) {
        Object out = channel.readOutbound();
        String text = out instanceof TextWebSocketFrame frame ? frame.text() : String.valueOf(out);
        ReferenceCountUtil.release(out);
        return text;
    }

    /** A text frame as a browser sends it (masked). */
    private static byte[] masked(String text) {
        return MaskedFrames.of(new TextWebSocketFrame(text));
    }
}
