package io.signalman.dialect.pair;

import io.signalman.core.Member;
import io.signalman.dialect.JsJson;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The pair protocol's server frames, with the original's key order. Member metadata is stored as
 * the exact {@code {"id":…,"userId":…}} object the original lists in {@code roomInfo}, so frames
 * are assembled from it without parsing. Relayed values are re-serialized with {@link JsJson}
 * because the original re-serialized them and its clients saw that text.
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
        StringBuilder out = new StringBuilder(text.length() + 2);
        JsJson.quote(text, out);
        return out.toString();
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

    /** {@code {"type":"message"[,"data":<data>],"from":<userId>}} (a missing {@code data} is left out). */
    static byte[] message(String dataJson, String userIdJson) {
        return utf8("{\"type\":\"message\"" + (dataJson == null ? "" : ",\"data\":" + dataJson)
                + ",\"from\":" + userIdJson + "}");
    }

    /** {@code {"type":"message","data":{"type":"candidate"[,"candidate":<c>]},"from":<userId>}}. */
    static byte[] candidate(String candidateJson, String userIdJson) {
        return utf8("{\"type\":\"message\",\"data\":{\"type\":\"candidate\""
                + (candidateJson == null ? "" : ",\"candidate\":" + candidateJson) + "},\"from\":" + userIdJson + "}");
    }
}
