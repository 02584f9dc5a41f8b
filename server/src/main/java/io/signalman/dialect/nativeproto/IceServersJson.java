package io.signalman.dialect.nativeproto;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.signalman.config.IceServer;
import io.signalman.ice.IceGrant;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes a grant's ICE servers in the W3C {@code RTCIceServer} shape for welcomes and
 * {@code ice-servers} frames. A node without minted TURN credentials hands every client the same
 * list, so a grant that never expires is written once and its text remembered.
 */
final class IceServersJson {
    /** One factory: a new one per welcome built fresh symbol tables for every connection. */
    private static final JsonFactory JSON = new JsonFactory();

    /** The last list of a grant without expiry, and its text. Compared by value: nodes in one JVM may differ. */
    private static volatile Written lastStatic;

    private record Written(List<IceServer> servers, String json) {}

    private IceServersJson() {}

    static String encode(IceGrant grant) {
        if (grant.ttlSeconds() != 0) return write(grant.servers()); // credentials minted for this peer
        Written known = lastStatic;
        if (known != null && known.servers().equals(grant.servers())) return known.json();
        String json = write(grant.servers());
        lastStatic = new Written(grant.servers(), json);
        return json;
    }

    private static String write(List<IceServer> servers) {
        StringWriter out = new StringWriter(128);
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
        return out.toString();
    }
}
