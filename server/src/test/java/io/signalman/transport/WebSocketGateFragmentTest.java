package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gate adds a frame aggregator only when a client first fragments a message; sessions must
 * still see whole messages, and the limits must hold for fragmented ones as before.
 */
class WebSocketGateFragmentTest {
    private static final int MAX = 64;

    /** Stands for the session: records the frames that reach it. */
    private static final class Session extends ChannelInboundHandlerAdapter {
        final List<String> texts = new ArrayList<>();
        final List<Integer> binaries = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            WebSocketFrame frame = (WebSocketFrame) msg;
            if (frame instanceof TextWebSocketFrame text) texts.add(text.text());
            if (frame instanceof BinaryWebSocketFrame binary) binaries.add(binary.content().readableBytes());
            frame.release();
        }
    }

    private final Session session = new Session();
    private final EmbeddedChannel channel = new EmbeddedChannel(new WebSocketGate("test", 0, 0, MAX), session);

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void wholeMessagesPassWithoutAnAggregator() {
        channel.writeInbound(new TextWebSocketFrame("one"), new TextWebSocketFrame("two"));
        assertThat(session.texts).containsExactly("one", "two");
        assertThat(channel.pipeline().get(WebSocketFrameAggregator.class)).isNull();
    }

    @Test
    void aFragmentedMessageArrivesWholeAndPingsBetweenItsFragmentsAreAnswered() {
        channel.writeInbound(new TextWebSocketFrame(false, 0, bytes("frag")));
        channel.writeInbound(new PingWebSocketFrame(bytes("p")));
        channel.writeInbound(new ContinuationWebSocketFrame(false, 0, bytes("men")));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, bytes("ted")));
        channel.writeInbound(new TextWebSocketFrame("after"));
        channel.writeInbound(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[10])));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[5])));

        assertThat(session.texts).containsExactly("fragmented", "after");
        assertThat(session.binaries).containsExactly(15);
        Object pong = channel.readOutbound();
        assertThat(pong).isInstanceOf(PongWebSocketFrame.class);
        ((PongWebSocketFrame) pong).release();
        assertThat(channel.pipeline().get(WebSocketFrameAggregator.class)).isNotNull();
    }

    @Test
    void aFragmentedMessageOverTheLimitClosesWith1009() {
        channel.writeInbound(new TextWebSocketFrame(false, 0, bytes("x".repeat(40))));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, bytes("y".repeat(40))));
        assertThat(session.texts).isEmpty();
        Object close = channel.readOutbound();
        assertThat(close).isInstanceOf(CloseWebSocketFrame.class);
        assertThat(((CloseWebSocketFrame) close).statusCode()).isEqualTo(1009);
        ((CloseWebSocketFrame) close).release();
    }

    @Test
    void aContinuationWithoutAStartIsDropped() {
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, bytes("stray")));
        channel.writeInbound(new TextWebSocketFrame("next"));
        assertThat(session.texts).containsExactly("next");
        assertThat(channel.isOpen()).isTrue();
    }
}
