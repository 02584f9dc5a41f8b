package io.signalman.dialect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the top-level fields of a JSON object frame without building objects: each field's name,
 * token, decoded text for scalars, and the byte span of its value, so that dialects can relay or
 * splice values exactly as the sender wrote them. For protocols whose frames are a flat object.
 */
public final class JsonObjectScan {

    /** One top-level field; {@code text} is the decoded value of a scalar (null for objects and arrays). */
    public record Field(String name, JsonToken token, String text, int start, int end) {
        public boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }
    }

    private final JsonFactory json;

    public JsonObjectScan(int maxDepth) {
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .build();
    }

    /**
     * The top-level fields of {@code frame[0, length)} in order (a repeated name appears twice, the
     * later one winning in {@link #find}), or null when the frame is not exactly one JSON object.
     */
    public List<Field> scan(byte[] frame, int length) {
        List<Field> fields = new ArrayList<>(6);
        try (JsonParser p = json.createParser(frame, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                int start = (int) p.currentTokenLocation().getByteOffset();
                String text = null;
                if (value.isScalarValue()) {
                    text = p.getText(); // reads the whole token, so the location below is its end
                } else {
                    p.skipChildren();
                }
                fields.add(new Field(name, value, text, start, (int) p.currentLocation().getByteOffset()));
            }
            if (token != JsonToken.END_OBJECT || p.nextToken() != null) return null;
            return fields;
        } catch (IOException e) {
            return null;
        }
    }

    /** The last field called {@code name}, or null (JSON.parse keeps the last of repeated names). */
    public static Field find(List<Field> fields, String name) {
        for (int i = fields.size() - 1; i >= 0; i--) {
            if (fields.get(i).name().equals(name)) return fields.get(i);
        }
        return null;
    }
}
