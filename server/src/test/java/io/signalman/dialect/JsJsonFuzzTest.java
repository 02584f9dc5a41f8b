package io.signalman.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Fuzzes the JSON reader and printer that the pair and direct dialects decode and re-encode every
 * frame with. The committed corpus runs in every build; {@code JAZZER_FUZZ=1} searches (docs/fuzzing.md).
 *
 * <p>Properties: parsing never throws (bad input is null); whatever parses prints as JSON that parses
 * again, and printing is a fixed point (print, parse, print gives the same text).
 */
class JsJsonFuzzTest {
    private final JsJson json = new JsJson(32);

    @FuzzTest(maxDuration = "5m")
    void parseAndPrint(byte[] input) {
        JsonNode value = json.parse(input, 0, input.length);
        if (value == null) return;
        byte[] printed = JsJson.stringifyUtf8(value);
        JsonNode again = json.parse(printed, 0, printed.length);
        assertThat(again).as("printed form parses: %s", new String(printed, java.nio.charset.StandardCharsets.UTF_8))
                .isNotNull();
        assertThat(JsJson.stringifyUtf8(again)).isEqualTo(printed);
    }
}
