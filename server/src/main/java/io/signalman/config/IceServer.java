package io.signalman.config;

import java.util.List;

/**
 * One STUN or TURN server handed to clients, in the W3C {@code RTCIceServer} shape.
 *
 * @param username   null for STUN
 * @param credential null for STUN
 */
public record IceServer(List<String> urls, String username, String credential) {

    /**
     * Parses {@code URL[ username=NAME credential=SECRET]}, e.g. {@code stun:stun.example.org:3478} or
     * {@code turn:turn.example.org:3478?transport=udp username=u credential=p}.
     */
    public static IceServer parse(String text) {
        String[] parts = text.trim().split("\\s+");
        String url = parts[0];
        if (!url.matches("(stun|stuns|turn|turns):[^\\s]+")) {
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
        return new IceServer(List.of(url), username, credential);
    }
}
