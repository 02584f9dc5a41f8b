package io.signalman.dialect.peerjs;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalman.dialect.JsJson;

/**
 * Reads a client frame as the PeerJS server does: {@code JSON.parse}, then a handler chosen by the
 * exact value of {@code type}. Only {@code HEARTBEAT} and the five relayed types have one; the
 * original ignored everything else (invalid JSON, non-objects, other types), so it is null here.
 */
final class PeerjsDecoder {
    static final String HEARTBEAT = "HEARTBEAT";
    static final String OFFER = "OFFER";
    static final String ANSWER = "ANSWER";
    static final String CANDIDATE = "CANDIDATE";
    static final String LEAVE = "LEAVE";
    static final String EXPIRE = "EXPIRE";

    /**
     * A message the server acts on. {@code type} is one of this class's constants (compare with
     * {@code ==}); {@code dst} and {@code payload} are null when the frame has no such key (a JSON
     * {@code null} is a {@code NullNode}), since the original dropped {@code undefined} values.
     */
    record Message(String type, JsonNode dst, JsonNode payload) {

        /** Whether {@code dst} is truthy: the original treats a falsy one as no destination at all. */
        boolean hasDestination() {
            if (dst == null || dst.isNull()) return false;
            if (dst.isBoolean()) return dst.booleanValue();
            if (dst.isNumber()) return dst.doubleValue() != 0 && !Double.isNaN(dst.doubleValue());
            if (dst.isTextual()) return !dst.textValue().isEmpty();
            return true;
        }
    }

    private final JsJson json;

    PeerjsDecoder(int maxJsonDepth) {
        this.json = new JsJson(maxJsonDepth);
    }

    /** The message in {@code frame[0, length)}, or null if the original would have ignored the frame. */
    Message decode(byte[] frame, int length) {
        JsonNode message = json.parse(frame, 0, length);
        // Setting message.src threw for primitives and null; arrays have no type: all were ignored.
        if (message == null || !message.isObject()) return null;
        JsonNode typeNode = message.get("type");
        if (typeNode == null || !typeNode.isTextual()) return null;
        String type = switch (typeNode.textValue()) {
            case HEARTBEAT -> HEARTBEAT;
            case OFFER -> OFFER;
            case ANSWER -> ANSWER;
            case CANDIDATE -> CANDIDATE;
            case LEAVE -> LEAVE;
            case EXPIRE -> EXPIRE;
            default -> null;
        };
        if (type == null) return null;
        return new Message(type, message.get("dst"), message.get("payload"));
    }
}
