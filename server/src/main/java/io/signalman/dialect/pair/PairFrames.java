package io.signalman.dialect.pair;

import io.signalman.core.Member;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The pair protocol's server frames, with the original's key order. Member metadata is stored as
 * the exact {@code {"id":…,"userId":…}} object the original lists in {@code roomInfo}, so frames
 * are assembled from it without parsing.
 */
final class PairFrames {
    static final String MISSING_PARAMETERS = "Missing required parameters: userId and remoteId are required";
    static final String SELF_CALL = "User cannot connect to themselves";
    static final String REPLACED = "You have been disconnected due to a new connection from your account";

    private PairFrames() {}

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string literal, escaped as JSON.stringify escapes. */
    static String quote(String text) {
        return JsValues.stringify(com.fasterxml.jackson.databind.node.TextNode.valueOf(text));
    }

    static byte[] roomEvent(String type, String quotedRoom) {
        return utf8("{\"type\":\"" + type + "\",\"room\":" + quotedRoom + "}");
    }

    static byte[] error(String message) {
        return utf8("{\"type\":\"error\",\"message\":" + quote(message) + "}");
    }

    /** {@code {"id":"<conn>","userId":<userId>}}: a member as roomInfo lists it. */
    static byte[] member(String connectionId, String userIdJson) {
        return utf8("{\"id\":" + quote(connectionId) + ",\"userId\":" + userIdJson + "}");
    }

    static byte[] roomInfo(String quotedRoom, List<Member> roster) {
        StringBuilder out = new StringBuilder("{\"type\":\"roomInfo\",\"room\":").append(quotedRoom).append(",\"users\":[");
        for (int i = 0; i < roster.size(); i++) {
            if (i > 0) out.append(',');
            out.append(new String(roster.get(i).meta(), StandardCharsets.UTF_8));
        }
        return utf8(out.append("],\"userCount\":").append(roster.size()).append('}').toString());
    }

    /** {@code {"type":"bye","id":…,"userId":…}} from a member's stored object. */
    static byte[] bye(Member member) {
        byte[] meta = member.meta(); // {"id":…,"userId":…}
        byte[] prefix = utf8("{\"type\":\"bye\",");
        byte[] out = new byte[prefix.length + meta.length - 1];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(meta, 1, out, prefix.length, meta.length - 1);
        return out;
    }

    /** {@code {"type":"message",["data":<raw>,]"from":<userId>}}. */
    static byte[] message(byte[] frame, int dataStart, int dataEnd, byte[] fromSuffix) {
        byte[] head = dataStart < 0 ? utf8("{\"type\":\"message\"") : utf8("{\"type\":\"message\",\"data\":");
        int dataLength = dataStart < 0 ? 0 : dataEnd - dataStart;
        byte[] out = new byte[head.length + dataLength + fromSuffix.length];
        System.arraycopy(head, 0, out, 0, head.length);
        if (dataLength > 0) System.arraycopy(frame, dataStart, out, head.length, dataLength);
        System.arraycopy(fromSuffix, 0, out, head.length + dataLength, fromSuffix.length);
        return out;
    }

    /** {@code {"type":"message","data":{"type":"candidate"[,"candidate":<raw>]},"from":<userId>}}. */
    static byte[] candidate(byte[] frame, int start, int end, byte[] fromSuffix) {
        byte[] head = start < 0 ? utf8("{\"type\":\"message\",\"data\":{\"type\":\"candidate\"")
                : utf8("{\"type\":\"message\",\"data\":{\"type\":\"candidate\",\"candidate\":");
        int length = start < 0 ? 0 : end - start;
        byte[] out = new byte[head.length + length + 1 + fromSuffix.length];
        System.arraycopy(head, 0, out, 0, head.length);
        if (length > 0) System.arraycopy(frame, start, out, head.length, length);
        out[head.length + length] = '}';
        System.arraycopy(fromSuffix, 0, out, head.length + length + 1, fromSuffix.length);
        return out;
    }

    /** {@code ,"from":<userId>}} — the end of every relayed message of one sender. */
    static byte[] fromSuffix(String userIdJson) {
        return utf8(",\"from\":" + userIdJson + "}");
    }
}
