package io.signalman.dialect;

import com.corundumstudio.socketio.SocketIONamespace;
import io.signalman.transport.socketio.SocketIoServer;

/** The Socket.IO side of a dialect: the Engine.IO settings its original used, and its event handlers. */
public interface SocketIoDialect {

    /** Ping interval, ping timeout and largest payload, as the original server had them. */
    SocketIoServer.Settings settings();

    /** Adds this dialect's event listeners to a listener's default namespace. */
    void bind(SocketIONamespace namespace);
}
