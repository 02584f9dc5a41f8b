package io.signalman.dialect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code JSON.parse} and {@code JSON.stringify} as the Node.js originals applied them to frames they
 * forwarded. Some original servers re-serialized what they relayed, and their clients saw exactly
 * that text, so a compatible server must produce the same bytes. Jackson's writer differs in small
 * ways (number formatting, the case of hex escapes), hence this hand-written writer; parsing is Jackson's,
 * which keeps the first position and last value of a repeated key as JavaScript objects do.
 */
public final class JsJson {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /**
     * A builder per thread, so that printing a relayed offer does not grow a fresh one from 16
     * characters each time; one that grew past {@link #MAX_KEPT_CHARS} for a large value is replaced.
     */
    private static final ThreadLocal<StringBuilder> BUILDER = ThreadLocal.withInitial(() -> new StringBuilder(1024));
    private static final int MAX_KEPT_CHARS = 64 * 1024;

    private final ObjectMapper mapper;

    public JsJson(int maxDepth) {
        this.mapper = new ObjectMapper(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .build())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // JSON.parse takes one value only
    }

    /** The value in {@code bytes[start, end)}, or null if it is not JSON as {@code JSON.parse} reads it. */
    public JsonNode parse(byte[] bytes, int start, int end) {
        if (end - start >= 3 && (bytes[start] & 0xFF) == 0xEF && (bytes[start + 1] & 0xFF) == 0xBB
                && (bytes[start + 2] & 0xFF) == 0xBF) {
            return null; // JSON.parse refuses a byte-order mark
        }
        try {
            JsonNode node = mapper.readTree(bytes, start, end - start);
            return node == null || node.isMissingNode() ? null : node;
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code JSON.stringify(value)} as UTF-8. */
    public static byte[] stringifyUtf8(JsonNode value) {
        return stringify(value).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code JSON.stringify(value)}. */
    public static String stringify(JsonNode value) {
        StringBuilder out = BUILDER.get();
        if (out.capacity() > MAX_KEPT_CHARS) {
            out = new StringBuilder(1024);
            BUILDER.set(out);
        }
        out.setLength(0);
        write(value, out);
        return out.toString();
    }

    /** Appends {@code JSON.stringify(value)} to {@code out}. */
    public static void stringify(JsonNode value, StringBuilder out) {
        write(value, out);
    }

    private static void write(JsonNode value, StringBuilder out) {
        if (value.isObject()) {
            writeObject(value, out);
        } else if (value.isArray()) {
            out.append('[');
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) out.append(',');
                write(value.get(i), out);
            }
            out.append(']');
        } else if (value.isTextual()) {
            quote(value.textValue(), out);
        } else if (value.isNumber()) {
            double number = value.doubleValue();
            out.append(Double.isFinite(number) ? number(number) : "null"); // JSON.parse("1e400") is Infinity
        } else if (value.isBoolean()) {
            out.append(value.booleanValue());
        } else {
            out.append("null");
        }
    }

    /**
     * A JavaScript object lists its array-index keys ("0" to "4294967294") first, in numeric order,
     * and then the other keys in insertion order; JSON.stringify follows that order.
     */
    private static void writeObject(JsonNode value, StringBuilder out) {
        List<Map.Entry<String, JsonNode>> indexKeys = null;
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            if (arrayIndex(names.next()) >= 0) {
                indexKeys = new ArrayList<>();
                break;
            }
        }
        out.append('{');
        boolean first = true;
        if (indexKeys != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (arrayIndex(field.getKey()) >= 0) indexKeys.add(field);
            }
            indexKeys.sort(Comparator.comparingLong(field -> arrayIndex(field.getKey())));
            for (Map.Entry<String, JsonNode> field : indexKeys) {
                first = writeField(field, first, out);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (indexKeys == null || arrayIndex(field.getKey()) < 0) first = writeField(field, first, out);
        }
        out.append('}');
    }

    private static boolean writeField(Map.Entry<String, JsonNode> field, boolean first, StringBuilder out) {
        if (!first) out.append(',');
        quote(field.getKey(), out);
        out.append(':');
        write(field.getValue(), out);
        return false;
    }

    /** The key's value as an array index (canonical decimal below 2^32 - 1), or -1. */
    static long arrayIndex(String key) {
        int length = key.length();
        if (length == 0 || length > 10 || (length > 1 && key.charAt(0) == '0')) return -1;
        long value = 0;
        for (int i = 0; i < length; i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        return value <= 0xFFFF_FFFEL ? value : -1;
    }

    /**
     * A JSON string literal with exactly the escapes JSON.stringify uses (ES2019 well-formed).
     * Characters that need no escape are appended in runs: a relayed SDP is one long string, and
     * appending it a character at a time was the star dialect's largest cost per relay.
     */
    public static void quote(String text, StringBuilder out) {
        out.append('"');
        int length = text.length();
        int run = 0; // start of the characters not yet appended
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) continue;
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a well-formed pair is written as it is
                continue;
            }
            out.append(text, run, i);
            run = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15]) // controls, lone surrogates
                        .append(HEX[c >> 4 & 15]).append(HEX[c & 15]);
            }
        }
        out.append(text, run, length);
        out.append('"');
    }

    /** {@code String(value)}, which is also how a value becomes a property key ({@code map[value]}). */
    public static String toJsString(JsonNode value) {
        if (value == null || value.isMissingNode()) return "undefined";
        if (value.isTextual()) return value.textValue();
        if (value.isNumber()) {
            double number = value.doubleValue();
            if (Double.isNaN(number)) return "NaN";
            if (Double.isInfinite(number)) return number > 0 ? "Infinity" : "-Infinity";
            return number(number);
        }
        if (value.isBoolean()) return Boolean.toString(value.booleanValue());
        if (value.isNull()) return "null";
        if (value.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) joined.append(',');
                JsonNode element = value.get(i);
                if (!element.isNull()) joined.append(toJsString(element));
            }
            return joined.toString();
        }
        return "[object Object]";
    }

    /** {@code Number.prototype.toString()} of a finite number, as JSON.stringify prints numbers. */
    public static String number(double number) {
        if (number == 0) return "0";
        if (Double.isNaN(number) || Double.isInfinite(number)) return "null";
        // Integers below 2^53 are exact and JavaScript prints their digits: no search for the shortest form.
        if (number == Math.rint(number) && Math.abs(number) < 0x1p53) return Long.toString((long) number);
        BigDecimal shortest = shortest(number);
        int exponent = shortest.precision() - shortest.scale() - 1; // of the first digit
        if (exponent >= -6 && exponent < 21) return shortest.toPlainString();
        String digits = shortest.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (number < 0 ? "-" : "") + mantissa + "e" + (exponent >= 0 ? "+" : "") + exponent;
    }

    /**
     * The decimal with the fewest digits that reads back as {@code number}, nearest to it (as
     * ECMAScript requires). {@code Double.toString} only promises this from JDK 19 on.
     */
    private static BigDecimal shortest(double number) {
        BigDecimal exact = new BigDecimal(number);
        for (int digits = 1; digits < 17; digits++) {
            BigDecimal candidate = exact.round(new java.math.MathContext(digits, java.math.RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == number) return candidate.stripTrailingZeros();
        }
        return exact.round(new java.math.MathContext(17, java.math.RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }
}
