package io.signalman.dialect;

import com.corundumstudio.socketio.SocketIOClient;
import io.signalman.core.Event;
import io.signalman.core.Outlet;
import io.signalman.ops.DialectMeters;
import io.signalman.transport.socketio.SocketIoEvents;

/**
 * Delivers relays made with {@link SocketIoEvents#event} to one Socket.IO client. Other events are
 * not meaningful to Socket.IO dialects (they keep no presence, and an eviction only takes the socket
 * out of a room or a name), so they are dropped here, except an operator's kick, which disconnects.
 */
public record SocketIoOutlet(SocketIOClient client, DialectMeters meters) implements Outlet {
    @Override
    public void deliver(Event event) {
        if (event instanceof Event.Relayed relayed) {
            if (!SocketIoEvents.emit(client, relayed.payload())) return;
            meters.frameOut();
            meters.relayed(relayed.receivedNanos());
        } else if (event instanceof Event.Kicked) {
            client.disconnect();
        }
    }
}
