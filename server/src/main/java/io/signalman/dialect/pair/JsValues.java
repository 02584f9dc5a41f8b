package io.signalman.dialect.pair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.StringJoiner;

/**
 * JavaScript's rules for the few operations the original pair server applies to client values:
 * truthiness, strict equality, {@code String(value)} and {@code JSON.stringify(value)}. They decide
 * room names and error cases, so they must match the original exactly where clients can see them.
 */
final class JsValues {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsValues() {}

    /** False for a missing value, {@code null}, {@code false}, {@code 0} and {@code ""}. */
    static boolean truthy(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) return false;
        if (value.isBoolean()) return value.booleanValue();
        if (value.isNumber()) return value.doubleValue() != 0;
        if (value.isTextual()) return !value.textValue().isEmpty();
        return true;
    }

    /** {@code a === b} for values parsed from JSON: objects and arrays are never equal (distinct references). */
    static boolean strictEquals(JsonNode a, JsonNode b) {
        if (a == null || b == null) return false;
        if (a.isTextual() && b.isTextual()) return a.textValue().equals(b.textValue());
        if (a.isNumber() && b.isNumber()) return a.doubleValue() == b.doubleValue();
        if (a.isBoolean() && b.isBoolean()) return a.booleanValue() == b.booleanValue();
        return a.isNull() && b.isNull();
    }

    /** {@code String(value)}. */
    static String toJsString(JsonNode value) {
        if (value == null || value.isMissingNode()) return "undefined";
        if (value.isTextual()) return value.textValue();
        if (value.isNumber()) return numberToString(value.doubleValue());
        if (value.isBoolean()) return Boolean.toString(value.booleanValue());
        if (value.isNull()) return "null";
        if (value.isArray()) {
            StringJoiner joined = new StringJoiner(",");
            value.forEach(element -> joined.add(element.isNull() ? "" : toJsString(element)));
            return joined.toString();
        }
        return "[object Object]";
    }

    /** {@code JSON.stringify(value)}: compact, numbers as JavaScript prints them. */
    static String stringify(JsonNode value) {
        if (value.isNumber()) return numberToString(value.doubleValue());
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e); // a parsed tree always serializes
        }
    }

    static JsonNode parse(byte[] bytes, int start, int end) {
        try {
            return JSON.readTree(bytes, start, end - start);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Number.prototype.toString for finite values. */
    private static String numberToString(double number) {
        if (number == 0) return "0";
        if (number == Math.rint(number) && Math.abs(number) < 1e21) {
            return new BigDecimal(number).toPlainString();
        }
        String java = Double.toString(number); // shortest round-trip digits, like JavaScript
        double magnitude = Math.abs(number);
        if (magnitude >= 1e-6 && magnitude < 1e21) {
            return BigDecimal.valueOf(number).stripTrailingZeros().toPlainString();
        }
        String[] parts = java.split("E");
        String mantissa = parts[0].endsWith(".0") ? parts[0].substring(0, parts[0].length() - 2) : parts[0];
        int exponent = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return mantissa + "e" + (exponent >= 0 ? "+" : "") + exponent;
    }
}
