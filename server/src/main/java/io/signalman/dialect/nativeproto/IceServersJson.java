package io.signalman.dialect.nativeproto;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.signalman.config.IceServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Writes configured ICE servers in the W3C {@code RTCIceServer} shape, once, for every welcome. */
final class IceServersJson {
    /** One factory: a new one per welcome built fresh symbol tables for every connection. */
    private static final JsonFactory JSON = new JsonFactory();

    private IceServersJson() {}

    static byte[] encode(List<IceServer> servers) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (IceServer server : servers) {
                g.writeStartObject();
                g.writeArrayFieldStart("urls");
                for (String url : server.urls()) g.writeString(url);
                g.writeEndArray();
                if (server.username() != null) g.writeStringField("username", server.username());
                if (server.credential() != null) g.writeStringField("credential", server.credential());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
