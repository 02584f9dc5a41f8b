package io.signalman.transport.socketio;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.listener.ExceptionListenerAdapter;
import io.netty.channel.ChannelHandlerContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what netty-socketio reports (a malformed packet, a failing listener) at debug level and keeps
 * the connection: bad input from one client must not cost anyone else anything, nor fill the log.
 */
final class QuietExceptionListener extends ExceptionListenerAdapter {
    private static final Logger log = LoggerFactory.getLogger(QuietExceptionListener.class);

    @Override
    public void onEventException(Exception e, List<Object> args, SocketIOClient client) {
        log.debug("Socket.IO event from {} failed: {}", client.getSessionId(), e.toString());
    }

    @Override
    public void onDisconnectException(Exception e, SocketIOClient client) {
        log.debug("Socket.IO disconnect of {} failed: {}", client.getSessionId(), e.toString());
    }

    @Override
    public void onConnectException(Exception e, SocketIOClient client) {
        log.debug("Socket.IO connect of {} failed: {}", client.getSessionId(), e.toString());
    }

    @Override
    public void onAuthException(Throwable e, SocketIOClient client) {
        log.debug("Socket.IO authorization of {} failed: {}", client.getSessionId(), e.toString());
    }

    @Override
    public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
        log.debug("Socket.IO channel {} failed: {}", ctx.channel().remoteAddress(), e.toString());
        return true;
    }
}
