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

    private com.fasterxml.jackson.databind.JsonNode parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return json.parse(bytes, 0, bytes.length);
    }
}
