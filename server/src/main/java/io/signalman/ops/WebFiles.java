package io.signalman.ops;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.signalman.transport.HttpResponses;
import io.signalman.transport.Routes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The web demo and the JavaScript SDK: the files under {@code web/} on the class path, read into
 * memory once at start-up and served on the main listener, each at exactly one path.
 *
 * <p>Because every servable path is registered as an exact route when the node starts, a request can
 * only ever name one of these files: {@code ..}, encoded slashes and the like match no route and get
 * 404, and nothing on disk is consulted after start-up.
 */
public final class WebFiles {

    /** The class-path folder the files come from. */
    static final String ROOT = "web";

    /** The file served at {@code /}. */
    static final String INDEX = "index.html";

    // Text types carry their charset so that browsers never guess; an extension not listed here
    // fails start-up, so a new kind of file cannot ship with a wrong type.
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json",
            "txt", "text/plain; charset=utf-8");

    // The demo loads nothing from elsewhere; the policy makes that a property the browser enforces.
    static final String PAGE_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:;"
            + " media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    /** One file as served: its URL path, bytes, content type and entity tag. */
    public record File(String path, byte[] body, String contentType, String etag) {}

    private final Map<String, File> files;

    private WebFiles(Map<String, File> files) {
        this.files = files;
    }

    /** Reads every file under {@code web/} on the class path (a folder in development, the jar when packaged). */
    public static WebFiles load() {
        URL index = WebFiles.class.getClassLoader().getResource(ROOT + "/" + INDEX);
        if (index == null) throw new IllegalStateException(ROOT + "/" + INDEX + " is missing from the class path");
        try {
            if ("jar".equals(index.getProtocol())) {
                JarURLConnection connection = (JarURLConnection) index.openConnection();
                Path jar = Path.of(connection.getJarFileURL().toURI());
                // A file system of our own (not the provider's shared one), closed once the bytes are read.
                try (FileSystem zip = FileSystems.newFileSystem(jar)) {
                    return load(zip.getPath("/" + ROOT));
                }
            }
            return load(Path.of(index.toURI()).getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the web files: " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads every regular file under {@code root}; names starting with a dot are skipped. */
    public static WebFiles load(Path root) throws IOException {
        Map<String, File> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                if (Arrays.stream(relative.split("/")).anyMatch(part -> part.startsWith("."))) continue;
                String path = relative.equals(INDEX) ? "/" : "/" + relative;
                byte[] body = Files.readAllBytes(file);
                files.put(path, new File(path, body, contentType(relative), etag(body)));
            }
        }
        if (!files.containsKey("/")) throw new IllegalStateException(root + " holds no " + INDEX);
        return new WebFiles(Map.copyOf(files));
    }

    /** The files by URL path. */
    public Map<String, File> files() {
        return files;
    }

    /** Serves every file at its path; a path some other route already holds is a start-up error. */
    public void mount(Routes routes) {
        files.values().forEach(file -> routes.http(file.path(), request -> respond(file, request)));
    }

    static FullHttpResponse respond(File file, FullHttpRequest request) {
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            FullHttpResponse response = HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "405 Method Not Allowed");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return response;
        }
        boolean fresh = matches(request.headers().get(HttpHeaderNames.IF_NONE_MATCH), file.etag());
        HttpResponseStatus status = fresh ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK;
        // HEAD and 304 carry no body. HEAD still announces the length a GET would get; 304 sends none
        // (RFC 9110 §8.6 would allow only that full length, never the 0 of the empty body).
        boolean withBody = !fresh && method.equals(HttpMethod.GET);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                withBody ? Unpooled.wrappedBuffer(file.body()) : Unpooled.EMPTY_BUFFER);
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.ETAG, file.etag());
        // Paths carry no content hash, so a browser may keep a copy but must ask (cheaply, by ETag)
        // before each use; a new release is then picked up at once.
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        // Public files: other sites may import the SDK, and module scripts are fetched with CORS.
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        if (!fresh) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, file.contentType());
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, file.body().length);
            headers.set("x-content-type-options", "nosniff");
            if (file.contentType().startsWith("text/html")) {
                headers.set("content-security-policy", PAGE_POLICY);
                headers.set("referrer-policy", "no-referrer");
            }
        }
        return response;
    }

    /** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): {@code W/} prefixes are ignored. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) return false;
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*")) return true;
            if (tag.startsWith("W/")) tag = tag.substring(2);
            if (tag.equals(etag)) return true;
        }
        return false;
    }

    private static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            throw new IllegalStateException("web file " + name + " has no known content type (known: "
                    + String.join(", ", new TreeMap<>(TYPES).keySet()) + ")");
        }
        return type;
    }

    /** A strong tag from the content: identical bytes get the same tag across restarts and nodes. */
    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
