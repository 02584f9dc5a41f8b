package io.signalman.peer;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a {@link PeerSession} needs, resolved from the command line and the environment.
 *
 * @param signalingUrl for {@code direct} the base {@code ws://ADDR:PORT} (the id is appended); for
 *                     {@code native} the full WebSocket URL
 * @param localId      the id to register under (direct only); null for a random one
 * @param connectTo    the remote id to offer to; null to prompt for one (or only answer offers)
 * @param iceServers   explicit ICE servers; null to use what the server hands out (native) or none
 */
public record PeerOptions(
        Protocol protocol,
        URI signalingUrl,
        String room,
        String localId,
        String connectTo,
        String sendText,
        Path sendFile,
        Path receiveDir,
        List<IceServerSpec> iceServers,
        Duration timeout,
        boolean readStdin) {

    /** The signaling protocol: seed 004's {@code direct} dialect, or Signalman's native protocol. */
    public enum Protocol { DIRECT, NATIVE }
}
