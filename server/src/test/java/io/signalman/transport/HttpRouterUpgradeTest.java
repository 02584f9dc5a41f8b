package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The upgrade answer and the session's first frame must reach the socket in one flush: a client
 * then gets its 101 and its welcome in one segment, and the server pays for one write.
 */
class HttpRouterUpgradeTest {

    /** Sits next to the socket and records what each flush carries. */
    private static final class FlushRecorder extends ChannelOutboundHandlerAdapter {
        final List<String> pending = new ArrayList<>();
        final List<List<String>> flushes = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf buf && buf.isReadable()) pending.add(buf.toString(StandardCharsets.ISO_8859_1));
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (!pending.isEmpty()) {
                flushes.add(List.copyOf(pending));
                pending.clear();
            }
            ctx.flush();
        }
    }

    /** A session that greets the client as soon as it starts, as the native dialect does. */
    private static final class GreetingEndpoint implements Endpoint {
        @Override
        public String name() {
            return "greeting";
        }

        @Override
        public SocketLimits limits() {
            return new SocketLimits(1024, 1024, 0, 0);
        }

        @Override
        public ChannelHandler open(Channel channel, FullHttpRequest request, String rest) {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    if (evt == SessionStart.INSTANCE) ctx.channel().writeAndFlush(new TextWebSocketFrame("hello"));
                }
            };
        }
    }

    @Test
    void theUpgradeAnswerAndTheFirstFrameLeaveInOneFlush() {
        FlushRecorder recorder = new FlushRecorder();
        Routes routes = new Routes().exact("/ws", new GreetingEndpoint());
        EmbeddedChannel channel = new EmbeddedChannel(recorder, new HttpServerCodec(),
                new HttpObjectAggregator(4096), new HttpRouter(routes, false, null, null));

        channel.writeInbound(Unpooled.copiedBuffer("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n", StandardCharsets.US_ASCII));

        assertThat(recorder.flushes).hasSize(1);
        List<String> writes = recorder.flushes.get(0);
        assertThat(writes.get(0)).startsWith("HTTP/1.1 101 Switching Protocols")
                .contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="); // the accept key of RFC 6455's example
        assertThat(String.join("", writes.subList(1, writes.size()))).endsWith("hello");
        assertThat(channel.pipeline().get(HttpRouter.class)).isNull();
        channel.finishAndReleaseAll();
    }
}
