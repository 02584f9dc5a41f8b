package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * netty-socketio's handlers join a connection of the main listener only with its first Socket.IO
 * request; a connection kept alive after a plain HTTP request must still get them for its next one.
 */
class SocketIoOnKeptAliveConnectionTest {

    @Test
    void aSocketIoRequestAfterAPlainOneOnTheSameConnectionIsAnswered() throws IOException {
        try (TestServer server = new TestServer(TestConfigs.builder().build());
                Socket socket = new Socket("127.0.0.1", server.server().address("main").getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(response(in)).startsWith("HTTP/1.1 200").endsWith("ok\n");

            out.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(response(in)).startsWith("HTTP/1.1 200").contains("\"sid\":");
        }
    }

    /** One HTTP response with a content-length body, as text. */
    private static String response(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed after " + head.toString(StandardCharsets.ISO_8859_1));
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
