package io.signalman.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/** WebSocket frames as a browser sends them (masked), for the in-process benchmarks to feed a server pipeline. */
public final class MaskedFrames {
    private MaskedFrames() {}

    /** The wire bytes of {@code frame} (released), masked as a client masks them. */
    public static byte[] of(WebSocketFrame frame) {
        EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
        encoder.writeOutbound(frame);
        ByteBuf all = Unpooled.buffer();
        Object out;
        while ((out = encoder.readOutbound()) != null) {
            all.writeBytes((ByteBuf) out);
            ReferenceCountUtil.release(out);
        }
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        all.release();
        encoder.finishAndReleaseAll();
        return bytes;
    }
}
