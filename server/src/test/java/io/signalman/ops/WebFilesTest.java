package io.signalman.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalman.testing.TestServer;
import io.signalman.transport.Routes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web demo and SDK files on the main listener: types, caching, and nothing but the files themselves. */
class WebFilesTest {
    private static TestServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = TestServer.withDefaults();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http("main") + path));
        if (headers.length > 0) request.headers(headers);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WebFilesTest.class.getClassLoader().getResourceAsStream("web/" + name)) {
            assertThat(in).as("web/" + name + " on the class path").isNotNull();
            return in.readAllBytes();
        }
    }

    /** Sends one request exactly as written (no client-side path normalization) and returns the whole answer. */
    private static String raw(String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.server().address("main").getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(answer);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void theDemoTheSdkAndTheirAssetsAreServedWithTheirTypes() throws Exception {
        HttpResponse<byte[]> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).isEqualTo(resource("index.html"));
        assertThat(page.headers().firstValue("content-security-policy")).hasValue(WebFiles.PAGE_POLICY);

        HttpResponse<byte[]> sdk = get("/sdk/signalman.js");
        assertThat(sdk.statusCode()).isEqualTo(200);
        assertThat(sdk.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(sdk.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(sdk.headers().firstValue("access-control-allow-origin")).hasValue("*");
        assertThat(sdk.body()).isEqualTo(resource("sdk/signalman.js"));

        assertThat(get("/demo/app.css").headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
        assertThat(get("/demo/icon.svg").headers().firstValue("content-type")).hasValue("image/svg+xml");
        // The info page moved to make room for the demo.
        assertThat(new String(get("/info").body(), StandardCharsets.UTF_8)).contains("<h1>Signalman</h1>");
    }

    @Test
    void anEntityTagLetsBrowsersRevalidateForFree() throws Exception {
        HttpResponse<byte[]> first = get("/sdk/signalman.js");
        String etag = first.headers().firstValue("etag").orElseThrow();
        assertThat(etag).matches("\"[A-Za-z0-9_-]{22}\"");
        assertThat(first.headers().firstValue("cache-control")).hasValue("no-cache");
        assertThat(get("/").headers().firstValue("etag")).isNotEqualTo(first.headers().firstValue("etag"));

        for (String condition : new String[] {etag, "W/" + etag, "\"other\", " + etag, "*"}) {
            HttpResponse<byte[]> again = get("/sdk/signalman.js", "If-None-Match", condition);
            assertThat(again.statusCode()).as(condition).isEqualTo(304);
            assertThat(again.body()).isEmpty();
            assertThat(again.headers().firstValue("etag")).hasValue(etag);
        }
        HttpResponse<byte[]> changed = get("/sdk/signalman.js", "If-None-Match", "\"stale\"");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.body()).isEqualTo(resource("sdk/signalman.js"));
    }

    @Test
    void onlyTheFilesThemselvesAreReachable() throws Exception {
        for (String path : new String[] {"/nope.js", "/sdk", "/sdk/", "/index.html", "/demo", "/web/index.html",
                "//sdk/signalman.js", "/sdk/signalman.js/", "/SDK/signalman.js"}) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(404);
        }
        for (String path : new String[] {"/sdk/../index.html", "/demo/../../pom.xml", "/sdk/%2e%2e/demo/app.js",
                "/sdk/..%2findex.html", "/..%2f..%2fetc/passwd", "/demo/app.css/../../server/pom.xml",
                "/demo\\..\\index.html", "/../../../../etc/passwd"}) {
            assertThat(raw("GET " + path + " HTTP/1.1")).as(path).startsWith("HTTP/1.1 404 ");
        }
        assertThat(raw("GET /demo/app.css HTTP/1.1")).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void headAnswersWithoutBodyAndOtherMethodsAreRefused() throws Exception {
        String head = raw("HEAD /sdk/signalman.js HTTP/1.1");
        assertThat(head).startsWith("HTTP/1.1 200 ");
        assertThat(head).containsIgnoringCase("content-length: " + resource("sdk/signalman.js").length + "\r\n");
        assertThat(head).endsWith("\r\n\r\n");

        String post = raw("POST /sdk/signalman.js HTTP/1.1\r\nContent-Length: 0");
        assertThat(post).startsWith("HTTP/1.1 405 ");
        assertThat(post).containsIgnoringCase("allow: GET, HEAD\r\n");
    }

    @Test
    void aFolderMapsToPathsAndRefusesWhatItCannotTypeOrLacks() throws Exception {
        Files.createDirectories(dir.resolve("sdk"));
        Files.writeString(dir.resolve("index.html"), "<!doctype html>");
        Files.writeString(dir.resolve("sdk/x.js"), "export {}");
        Files.writeString(dir.resolve(".hidden.js"), "secret");
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/config"), "secret");
        WebFiles files = WebFiles.load(dir);
        assertThat(files.files().keySet()).containsExactlyInAnyOrder("/", "/sdk/x.js");
        assertThat(files.files().get("/sdk/x.js").contentType()).isEqualTo("text/javascript; charset=utf-8");

        Routes routes = new Routes();
        files.mount(routes);
        assertThatThrownBy(() -> files.mount(routes)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two HTTP routes for /");

        Files.writeString(dir.resolve("notes.md"), "# no type for this");
        assertThatThrownBy(() -> WebFiles.load(dir)).hasMessageContaining("notes.md has no known content type");
        Files.delete(dir.resolve("notes.md"));
        Files.delete(dir.resolve("index.html"));
        assertThatThrownBy(() -> WebFiles.load(dir)).hasMessageContaining("holds no index.html");
    }
}
