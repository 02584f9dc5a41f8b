package io.signalman.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import com.corundumstudio.socketio.SocketIOClient;
import io.signalman.core.engine.LocalEngine;
import io.signalman.ops.DialectMeters;
import io.signalman.ops.Metrics;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Socket.IO session's listeners may run twice; the open-connections gauge must not drift. */
class SocketIoConnectionCountTest {
    private final DialectMeters meters = new Metrics(new LocalEngine()).dialect("star", "star");

    /** A session with netty-socketio's per-session store and nothing else. */
    private static SocketIOClient session() {
        Map<String, Object> store = new HashMap<>();
        return (SocketIOClient) Proxy.newProxyInstance(SocketIOClient.class.getClassLoader(),
                new Class<?>[] {SocketIOClient.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "set" -> { store.put((String) args[0], args[1]); yield null; }
                    case "get" -> store.get((String) args[0]);
                    case "has" -> store.containsKey((String) args[0]);
                    case "del" -> { store.remove((String) args[0]); yield null; }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void listenersThatRunTwiceCountOnceInAndOnceOut() {
        SocketIOClient a = session();
        SocketIOClient b = session();
        SocketIoConnectionCount.opened(a, meters);
        SocketIoConnectionCount.opened(a, meters);
        SocketIoConnectionCount.opened(b, meters);
        assertThat(meters.openConnections()).isEqualTo(2);

        SocketIoConnectionCount.closed(a, meters);
        SocketIoConnectionCount.closed(a, meters);
        assertThat(meters.openConnections()).isEqualTo(1);

        // A connect listener that runs after the session has ended (a poll racing the disconnect)
        // must not count the ended session in again.
        SocketIoConnectionCount.opened(a, meters);
        assertThat(meters.openConnections()).isEqualTo(1);

        SocketIoConnectionCount.closed(b, meters);
        assertThat(meters.openConnections()).isZero();
    }

    @Test
    void aSessionNeverCountedInIsNotCountedOut() {
        SocketIoConnectionCount.closed(session(), meters);
        assertThat(meters.openConnections()).isZero();
    }
}
