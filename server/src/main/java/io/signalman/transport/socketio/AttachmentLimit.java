package io.signalman.transport.socketio;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.protocol.Packet;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what netty-socketio holds for a binary event that is still waiting for its attachments.
 * A packet such as {@code 451000000-["e",...]} announces its attachment count, and netty-socketio
 * keeps every following message of the session (base64-encoded, so a third larger) until that many
 * have arrived, with no limit of its own: one client could grow the node's memory frame by frame.
 * Here a session whose pending packet and attachments would pass the payload cap is disconnected.
 * Our dialects send no binary data, so real clients never come near it.
 */
@ChannelHandler.Sharable
final class AttachmentLimit extends ChannelInboundHandlerAdapter {
    static final String NAME = "socketio-attachment-limit";
    private static final Logger log = LoggerFactory.getLogger(AttachmentLimit.class);

    private final long maxBytes;

    AttachmentLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PacketsMessage message) {
            ClientHead session = message.getClient();
            Packet pending = session.getLastBinaryPacket();
            if (pending != null && pendingBytes(pending) + message.getContent().readableBytes() * 4L / 3 > maxBytes) {
                log.debug("disconnecting Socket.IO session {}: its binary attachments passed {} bytes",
                        session.getSessionId(), maxBytes);
                session.setLastBinaryPacket(null);
                session.disconnect();
                ctx.close();
                return; // the transport that made the message releases its buffer
            }
        }
        ctx.fireChannelRead(msg);
    }

    private static long pendingBytes(Packet packet) {
        long bytes = packet.getDataSource() == null ? 0 : packet.getDataSource().readableBytes();
        for (ByteBuf attachment : packet.getAttachments()) bytes += attachment.readableBytes();
        return bytes;
    }
}
