package io.signalman.dialect.nativeproto;

/**
 * One decoded client frame of the native protocol. A session reuses a single instance for every
 * frame it receives (the relay path allocates nothing it can avoid), so its fields are only valid
 * until the next frame is decoded.
 *
 * <p>{@code data} and {@code meta} are not parsed into objects: they are spans of the frame's own
 * bytes ({@link #source}), relayed exactly as the sender wrote them.
 */
final class NativeRequest {

    /** The request types a client may send. */
    enum Type {
        JOIN("join"), LEAVE("leave"), SIGNAL("signal"), BROADCAST("broadcast"), ICE("ice"), PING("ping");

        final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        /** values() copies its array on every call; this is read once per frame. */
        private static final Type[] ALL = values();

        static Type of(String name) {
            for (Type type : ALL) {
                if (type.wireName.equals(name)) return type;
            }
            return null;
        }
    }

    Type type;
    /** The request's {@code id} as raw JSON (a string with its quotes, or an integer), or null. */
    String idJson;
    String room;
    String to;
    byte[] source;
    int dataStart = -1;
    int dataEnd = -1;
    int metaStart = -1;
    int metaEnd = -1;

    void reset(byte[] source) {
        this.source = source;
        type = null;
        idJson = null;
        room = null;
        to = null;
        dataStart = dataEnd = metaStart = metaEnd = -1;
    }

    boolean hasData() {
        return dataStart >= 0;
    }

    boolean hasMeta() {
        return metaStart >= 0;
    }

    int dataLength() {
        return dataEnd - dataStart;
    }
}
