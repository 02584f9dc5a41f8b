package io.signalman.dialect.peerjs;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalman.dialect.JsJson;
import java.nio.charset.StandardCharsets;

/**
 * The frames the PeerJS server sends, byte for byte as it printed them with {@code JSON.stringify}.
 * A relayed message is rebuilt from four keys in a fixed order ({@code type}, {@code src},
 * {@code dst}, {@code payload}), keys whose value is absent left out; nothing else of the client's
 * frame survives.
 */
final class PeerjsFrames {
    private PeerjsFrames() {}

    static final String INVALID_KEY = "Invalid key provided";
    static final String INVALID_WS_PARAMETERS = "No id, token, or key supplied to websocket server";
    static final String CONNECTION_LIMIT_EXCEED = "Server has reached its concurrent user limit";

    static final byte[] OPEN = utf8("{\"type\":\"OPEN\"}");
    static final byte[] ID_TAKEN = utf8("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");

    static byte[] error(String message) {
        StringBuilder out = new StringBuilder("{\"type\":\"ERROR\",\"payload\":{\"msg\":");
        JsJson.quote(message, out);
        return utf8(out.append("}}").toString());
    }

    /**
     * A relayed message.
     *
     * @param quotedSrc the sender's id as a JSON string
     * @param dst       the destination as the sender wrote it, or null if absent
     * @param payload   the payload, or null if absent
     */
    static byte[] relay(String type, String quotedSrc, JsonNode dst, JsonNode payload) {
        StringBuilder out = new StringBuilder(64 + (payload == null ? 0 : 256));
        out.append("{\"type\":\"").append(type).append("\",\"src\":").append(quotedSrc);
        if (dst != null) {
            out.append(",\"dst\":");
            JsJson.stringify(dst, out);
        }
        if (payload != null) {
            out.append(",\"payload\":");
            JsJson.stringify(payload, out);
        }
        return utf8(out.append('}').toString());
    }

    /**
     * {@code EXPIRE} for a message that did not reach its destination: {@code src} is the destination
     * the message named (any JSON value), {@code dst} the id of the sender it goes back to.
     */
    static byte[] expire(String unreachedJson, String quotedSender) {
        return utf8("{\"type\":\"EXPIRE\",\"src\":" + unreachedJson + ",\"dst\":" + quotedSender + "}");
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2);
        JsJson.quote(text, out);
        return out.toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
