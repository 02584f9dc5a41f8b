package io.signalman.dialect.pair;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * JavaScript's truthiness and strict equality for the values the original pair server tested:
 * they decide the error cases and who counts as the same user, so they must match exactly.
 */
final class JsValues {
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
}
