package io.signalman.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JSON.parse then JSON.stringify, checked against what Node.js prints for the same input. */
class JsJsonTest {
    private final JsJson json = new JsJson(32);

    private String roundTrip(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return JsJson.stringify(json.parse(bytes, 0, bytes.length));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{ \"a\" : 1 , \"b\" : [ true , null ] }|{\"a\":1,\"b\":[true,null]}",
        "{\"n\":1.0,\"m\":1e2,\"k\":-0,\"f\":0.1,\"g\":-2.5E-3}|{\"n\":1,\"m\":100,\"k\":0,\"f\":0.1,\"g\":-0.0025}",
        "{\"big\":12345678901234567890,\"tiny\":1e-7,\"huge\":1e21,\"e\":123e18}|{\"big\":12345678901234567000,\"tiny\":1e-7,\"huge\":1e+21,\"e\":123000000000000000000}",
        "{\"s\":\"a\\/b \\u0041 \\u00e9 \\ud83d\\ude00\"}|{\"s\":\"a/b A é 😀\"}",
        "{\"c\":\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\\"}|{\"c\":\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\\"}",
        "[1152921504606846976,282879384806159000,5e-324,1e-6,1.5e-7,123456789012345680000,0.1,-1e21]|[1152921504606847000,282879384806159000,5e-324,0.000001,1.5e-7,123456789012345680000,0.1,-1e+21]",
        "{\"lone\":\"\\ud800x\\udc00\"}|{\"lone\":\"\\ud800x\\udc00\"}",
        "{\"id\":\"X\",\"a\":1,\"id\":\"B\"}|{\"id\":\"B\",\"a\":1}",
        "{\"b\":1,\"2\":2,\"1\":3,\"01\":4,\"4294967295\":5,\"4294967294\":6,\"-1\":7,\"0\":8}|{\"0\":8,\"1\":3,\"2\":2,\"4294967294\":6,\"b\":1,\"01\":4,\"4294967295\":5,\"-1\":7}",
        "[1e400,-1e400,1e-400,{\"x\":123456789012345678901234567890}]|[null,null,0,{\"x\":1.2345678901234568e+29}]",
    })
    void reSerializesAsJavaScriptDoes(String input, String expected) {
        assertThat(roundTrip(input)).isEqualTo(expected);
    }

    @Test
    void refusesWhatJsonParseRefuses() {
        for (String bad : new String[] {"", " ", "{", "{} x", "{\"a\":1}}", "\uFEFF{}", "{'a':1}", "[1,]", "NaN", "01"}) {
            byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
            assertThat(json.parse(bytes, 0, bytes.length)).as(bad).isNull();
        }
    }

    @Test
    void stringConversionFollowsJavaScript() {
        assertThat(JsJson.toJsString(parse("10"))).isEqualTo("10");
        assertThat(JsJson.toJsString(parse("1.50"))).isEqualTo("1.5");
        assertThat(JsJson.toJsString(parse("true"))).isEqualTo("true");
        assertThat(JsJson.toJsString(parse("[1,[\"a\",null],2]"))).isEqualTo("1,a,,2");
        assertThat(JsJson.toJsString(parse("{}"))).isEqualTo("[object Object]");
        assertThat(JsJson.toJsString(null)).isEqualTo("undefined");
        assertThat(JsJson.toJsString(parse("-1e400"))).isEqualTo("-Infinity");
    }

    /**
     * {@code quote} appends runs of plain characters at once; it must escape exactly as the
     * character-at-a-time rule does, wherever the escapes fall (first, last, adjacent, split pairs).
     */
    @Test
    void quotingInRunsEscapesAsOneCharacterAtATime() {
        char[] alphabet = {'a', 'Z', ' ', '~', '\u00e9', '\u2028', '\uffff', '"', '\\', '\n', '\r', '\u0000', '\u001f',
            '\ud83d', '\ude00', '\ud800', '\udfff'};
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 20_000; round++) {
            char[] text = new char[random.nextInt(12)];
            for (int i = 0; i < text.length; i++) text[i] = alphabet[random.nextInt(alphabet.length)];
            String value = new String(text);
            StringBuilder quoted = new StringBuilder();
            JsJson.quote(value, quoted);
            assertThat(quoted.toString()).as("%s", java.util.Arrays.toString(text)).isEqualTo(quoteOneByOne(value));
        }
    }

    /** JSON.stringify's string escapes, one character at a time (the rule, written plainly). */
    private static String quoteOneByOne(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
                out.append('\\').append("bfnrt".charAt("\b\f\n\r\t".indexOf(c)));
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private com.fasterxml.jackson.databind.JsonNode parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return json.parse(bytes, 0, bytes.length);
    }
}
