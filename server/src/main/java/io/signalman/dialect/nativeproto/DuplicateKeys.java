package io.signalman.dialect.nativeproto;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;

/**
 * Finds a key that repeats within one JSON object, anywhere in a frame, while the decoder walks the
 * frame's tokens. Written here rather than left to Jackson's {@code STRICT_DUPLICATE_DETECTION}
 * because that check builds a new {@code HashSet} for every object of three or more keys: on the relay
 * path (a frame and its SDP {@code data} object) that was the largest share of the server's garbage.
 * This one reuses its arrays: the keys of the open objects sit on one stack and a new key is compared
 * with those of its own object, by a scan while the object is small and through a set (reused) once
 * it has more than {@link #SCAN_LIMIT} keys, so a hostile object with thousands of keys stays linear.
 *
 * <p>Not thread-safe: the decoder keeps one per thread.
 */
final class DuplicateKeys {
    static final int SCAN_LIMIT = 16;

    private String[] keys = new String[32];
    private int keyCount;
    /** Where each open object's keys start on {@link #keys}. */
    private int[] objectStarts = new int[8];
    /** Each open object's key set once it has outgrown the scan, else null. */
    private HashSet<String>[] objectSets = newSets(8);
    private int depth;

    @SuppressWarnings("unchecked")
    private static HashSet<String>[] newSets(int n) {
        return (HashSet<String>[]) new HashSet<?>[n];
    }

    /** Forgets everything (a decode that failed part way may leave objects open). */
    void reset() {
        for (int i = 0; i < depth; i++) {
            if (objectSets[i] != null) objectSets[i].clear();
        }
        Arrays.fill(keys, 0, keyCount, null);
        keyCount = 0;
        depth = 0;
    }

    /** An object starts. */
    void open() {
        if (depth == objectStarts.length) {
            objectStarts = Arrays.copyOf(objectStarts, depth * 2);
            objectSets = Arrays.copyOf(objectSets, depth * 2);
        }
        objectStarts[depth++] = keyCount;
    }

    /** The innermost open object ends. */
    void close() {
        int start = objectStarts[--depth];
        HashSet<String> set = objectSets[depth];
        if (set != null && !set.isEmpty()) set.clear();
        Arrays.fill(keys, start, keyCount, null);
        keyCount = start;
    }

    /**
     * A key of the innermost open object.
     *
     * @return false when the object has that key already
     */
    boolean add(String key) {
        int start = objectStarts[depth - 1];
        int count = keyCount - start;
        HashSet<String> set = objectSets[depth - 1];
        if (count < SCAN_LIMIT) {
            for (int i = start; i < keyCount; i++) {
                if (keys[i].equals(key)) return false;
            }
        } else {
            if (set == null) objectSets[depth - 1] = set = new HashSet<>();
            if (set.isEmpty()) {
                for (int i = start; i < keyCount; i++) set.add(keys[i]);
            }
            if (!set.add(key)) return false;
        }
        if (keyCount == keys.length) keys = Arrays.copyOf(keys, keyCount * 2);
        keys[keyCount++] = key;
        return true;
    }

    /**
     * Skips the value whose first token is current, as {@link JsonParser#skipChildren} does, and
     * rejects a repeated key in any object inside it.
     *
     * @throws JsonParseException for a repeated key
     */
    void skip(JsonParser p, JsonToken first) throws IOException {
        if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
            if (first != null) p.finishToken(); // a string's end is only known once it is read
            return;
        }
        int nesting = 0;
        JsonToken token = first;
        while (true) {
            switch (token) {
                case START_OBJECT -> {
                    nesting++;
                    open();
                }
                case START_ARRAY -> nesting++;
                case END_OBJECT -> {
                    nesting--;
                    close();
                }
                case END_ARRAY -> nesting--;
                case FIELD_NAME -> {
                    if (!add(p.currentName())) throw duplicate(p, p.currentName());
                }
                default -> { }
            }
            if (nesting == 0) return;
            token = p.nextToken();
            if (token == null) throw new JsonParseException(p, "unexpected end of input");
        }
    }

    static JsonParseException duplicate(JsonParser p, String key) {
        return new JsonParseException(p, "duplicate key '" + key + "'");
    }
}
