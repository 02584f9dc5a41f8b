package io.signalman.dialect.nativeproto;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads one native-protocol frame into a {@link NativeRequest} with Jackson's streaming parser.
 * Nothing is bound to objects: {@code data} and {@code meta} are recorded as byte spans of the frame
 * (so they can be relayed without re-serializing), scalar fields are read as strings.
 *
 * <p>Faults are ranked: a frame that is not JSON is {@code bad-json}; a JSON value that is not an
 * object, or a known field with the wrong type, is {@code bad-request}; an unknown {@code type} is
 * {@code unknown-type}. Fields that the request type does not use are not checked.
 *
 * <p>Thread-safe: one instance serves every connection of a dialect.
 */
final class NativeDecoder {

    /** Longest room name, in UTF-16 code units as JavaScript counts string length. */
    static final int MAX_ROOM_CHARS = 128;

    private final JsonFactory json;
    private final int maxMetaBytes;
    private final ThreadLocal<DuplicateKeys> duplicateKeys = ThreadLocal.withInitial(DuplicateKeys::new);

    NativeDecoder(int maxDepth, int maxStringChars, int maxMetaBytes) {
        // Duplicate keys are found by DuplicateKeys, which does not allocate per object.
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxStringLength(maxStringChars)
                        .build())
                .build();
        this.maxMetaBytes = maxMetaBytes;
    }

    /**
     * Decodes {@code length} bytes of {@code frame} into {@code request}.
     *
     * @return null when the request is valid, else the error to answer
     */
    DecodeError decode(byte[] frame, int length, NativeRequest request) {
        request.reset(frame);
        String typeName = null;
        String typeProblem = null;
        String idProblem = null;
        String roomProblem = null;
        String toProblem = null;
        String metaProblem = null;
        DuplicateKeys keys = duplicateKeys.get();
        keys.reset();
        try (JsonParser p = json.createParser(frame, 0, length)) {
            JsonToken token = p.nextToken();
            if (token == null) return new DecodeError(ErrorCode.BAD_JSON, "empty frame", null);
            if (token != JsonToken.START_OBJECT) {
                keys.skip(p, token);
                if (p.nextToken() != null) return new DecodeError(ErrorCode.BAD_JSON, "trailing content after the JSON value", null);
                return new DecodeError(ErrorCode.BAD_REQUEST, "a frame must be a JSON object", null);
            }
            keys.open();
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (!keys.add(field)) throw DuplicateKeys.duplicate(p, field);
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> {
                        if (value == JsonToken.VALUE_STRING) {
                            typeName = p.getText();
                        } else {
                            typeProblem = "'type' must be a string";
                            keys.skip(p, value);
                        }
                    }
                    case "id" -> {
                        if (value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NUMBER_INT) {
                            int start = (int) p.currentTokenLocation().getByteOffset();
                            p.finishToken();
                            int end = (int) p.currentLocation().getByteOffset();
                            request.idJson = new String(frame, start, end - start, StandardCharsets.UTF_8);
                        } else {
                            idProblem = "'id' must be a string or an integer";
                            keys.skip(p, value);
                        }
                    }
                    case "room" -> {
                        if (value == JsonToken.VALUE_STRING) {
                            String room = p.getText();
                            if (room.isEmpty() || room.length() > MAX_ROOM_CHARS) {
                                roomProblem = "'room' must be a non-empty string of at most " + MAX_ROOM_CHARS + " characters";
                            } else {
                                request.room = room;
                            }
                        } else {
                            roomProblem = "'room' must be a string";
                            keys.skip(p, value);
                        }
                    }
                    case "to" -> {
                        if (value == JsonToken.VALUE_STRING && p.getTextLength() > 0) request.to = p.getText();
                        else toProblem = "'to' must be a peer id (a non-empty string)";
                        keys.skip(p, value);
                    }
                    case "data" -> {
                        request.dataStart = (int) p.currentTokenLocation().getByteOffset();
                        keys.skip(p, value);
                        request.dataEnd = (int) p.currentLocation().getByteOffset();
                    }
                    case "meta" -> {
                        if (value == JsonToken.START_OBJECT) {
                            request.metaStart = (int) p.currentTokenLocation().getByteOffset();
                            keys.skip(p, value);
                            request.metaEnd = (int) p.currentLocation().getByteOffset();
                            if (request.metaEnd - request.metaStart > maxMetaBytes) {
                                metaProblem = "'meta' is larger than " + maxMetaBytes + " bytes";
                            }
                        } else {
                            metaProblem = "'meta' must be a JSON object";
                            keys.skip(p, value);
                        }
                    }
                    default -> keys.skip(p, value);
                }
            }
            if (p.nextToken() != null) return new DecodeError(ErrorCode.BAD_JSON, "trailing content after the JSON object", null);
        } catch (StreamConstraintsException e) {
            return new DecodeError(ErrorCode.BAD_REQUEST, "frame exceeds a limit: " + e.getOriginalMessage(), null);
        } catch (IOException e) {
            return new DecodeError(ErrorCode.BAD_JSON, "invalid JSON", null);
        }

        String id = request.idJson;
        if (idProblem != null) return new DecodeError(ErrorCode.BAD_REQUEST, idProblem, null);
        if (typeProblem != null) return new DecodeError(ErrorCode.BAD_REQUEST, typeProblem, id);
        if (typeName == null) return new DecodeError(ErrorCode.BAD_REQUEST, "'type' is required", id);
        NativeRequest.Type type = NativeRequest.Type.of(typeName);
        if (type == null) return new DecodeError(ErrorCode.UNKNOWN_TYPE, "unknown type '" + clip(typeName) + "'", id);
        request.type = type;
        String problem = switch (type) {
            case JOIN -> firstOf(required(roomProblem, request.room, "room"), metaProblem);
            case LEAVE -> required(roomProblem, request.room, "room");
            case SIGNAL -> firstOf(required(toProblem, request.to, "to"), roomProblem,
                    request.hasData() ? null : "'data' is required");
            case BROADCAST -> firstOf(required(roomProblem, request.room, "room"),
                    request.hasData() ? null : "'data' is required");
            case ICE, PING -> null;
        };
        return problem == null ? null : new DecodeError(ErrorCode.BAD_REQUEST, problem, id);
    }

    private static String required(String problem, String value, String field) {
        if (problem != null) return problem;
        return value == null ? "'" + field + "' is required" : null;
    }

    private static String firstOf(String... problems) {
        for (String problem : problems) {
            if (problem != null) return problem;
        }
        return null;
    }

    private static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
