package io.signalman.peer;

import dev.onvoid.webrtc.RTCIceServer;
import java.util.List;

/**
 * One {@code --ice-server} value: {@code URL[ username=NAME credential=SECRET]}, the syntax the
 * server's option of the same name takes.
 */
public record IceServerSpec(String url, String username, String credential) {

    /** Parses the option's text; throws IllegalArgumentException with a message fit for the user. */
    public static IceServerSpec parse(String text) {
        String[] parts = text.trim().split("\\s+");
        String url = parts[0];
        if (!url.matches("(stun|stuns|turn|turns):\\S+")) {
            throw new IllegalArgumentException("ICE server '" + text + "' must start with stun:, stuns:, turn: or turns:");
        }
        String username = null;
        String credential = null;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith("username=")) username = parts[i].substring("username=".length());
            else if (parts[i].startsWith("credential=")) credential = parts[i].substring("credential=".length());
            else throw new IllegalArgumentException("ICE server '" + text + "': unknown part '" + parts[i] + "'");
        }
        if (url.startsWith("turn") && (username == null || credential == null)) {
            throw new IllegalArgumentException("TURN server '" + url + "' needs username=... and credential=...");
        }
        return new IceServerSpec(url, username, credential);
    }

    RTCIceServer toRtc() {
        RTCIceServer server = new RTCIceServer();
        server.urls = List.of(url);
        server.username = username;
        server.password = credential;
        return server;
    }
}
