package io.signalman.dialect.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.signalman.core.Switchboard;
import io.signalman.core.engine.LocalEngine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP API's routing, answers and CORS headers, as Express and the cors middleware gave them. */
class PeerjsApiTest {
    private final LocalEngine engine = new LocalEngine();
    private final Switchboard switchboard = new Switchboard(engine, 4);
    private final PeerjsApi root = new PeerjsApi("", engine, true, List.of());
    private final PeerjsApi myapp = new PeerjsApi("/peerjs/myapp", engine, false, List.of("http://ok.example"));

    private static FullHttpResponse call(PeerjsApi api, HttpMethod method, String uri, String... headers) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        for (int i = 0; i < headers.length; i += 2) request.headers().add(headers[i], headers[i + 1]);
        return api.handle(request);
    }

    private static String body(FullHttpResponse response) {
        return response.content().toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource({
        "'', /x, /x", "'', '', ''", "/peerjs/myapp, /peerjs/myapp, ''", "/peerjs/myapp, /PEERJS/MyApp/, /",
        "/peerjs/myapp, /peerjs/myapp/k/id, /k/id", "/peerjs/myapp, /peerjs/myappx, ", "/peerjs/myapp, /peerjs, ",
    })
    void pathsAreUnderTheBaseAsExpressMountedThem(String base, String path, String rest) {
        assertThat(new PeerjsApi(base, engine, false, List.of()).under(path)).isEqualTo(rest);
    }

    @Test
    void idIsAFreshUuidAsHtmlForAnyKey() {
        FullHttpResponse first = call(root, HttpMethod.GET, "/peerjs/id?ts=1&version=1.5.5");
        assertThat(first.status().code()).isEqualTo(200);
        assertThat(first.headers().get("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(body(first)).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        FullHttpResponse second = call(root, HttpMethod.GET, "/OTHER/Id/");
        assertThat(second.status().code()).isEqualTo(200);
        assertThat(body(second)).isNotEqualTo(body(first));
    }

    @Test
    void peersListsConnectedIdsOnlyWithDiscovery() {
        switchboard.connect(PeerjsDialect.REALM, "a\"1", event -> { }, Switchboard.DuplicatePolicy.REJECT);
        FullHttpResponse list = call(root, HttpMethod.GET, "/peerjs/peers");
        assertThat(list.headers().get("content-type")).isEqualTo("application/json; charset=utf-8");
        assertThat(body(list)).isEqualTo("[\"a\\\"1\"]");
        FullHttpResponse refused = call(myapp, HttpMethod.GET, "/peerjs/myapp/k/peers");
        assertThat(refused.status().code()).isEqualTo(401);
        assertThat(body(refused)).isEqualTo("Unauthorized");
    }

    @Test
    void otherRequestsGetExpressNotFoundPages() {
        for (String[] request : new String[][] {{"POST", "/peerjs/id"}, {"GET", "/k/id/x"}, {"GET", "//id"}, {"GET", "/a<b>"}}) {
            FullHttpResponse response = call(root, HttpMethod.valueOf(request[0]), request[1]);
            assertThat(response.status().code()).isEqualTo(404);
            assertThat(response.headers().get("content-security-policy")).isEqualTo("default-src 'none'");
            assertThat(body(response)).contains("<pre>Cannot " + request[0] + " "
                    + request[1].replace("<", "&lt;").replace(">", "&gt;") + "</pre>");
        }
        // Outside the base the API's CORS middleware never ran.
        FullHttpResponse outside = call(myapp, HttpMethod.GET, "/peerjs/other", "Origin", "http://ok.example");
        assertThat(outside.status().code()).isEqualTo(404);
        assertThat(outside.headers().contains("access-control-allow-origin")).isFalse();
        assertThat(outside.headers().contains("vary")).isFalse();
    }

    @Test
    void corsReflectsAllowedOriginsAndAnswersPreflights() {
        FullHttpResponse any = call(root, HttpMethod.GET, "/", "Origin", "http://app.example");
        assertThat(any.headers().get("access-control-allow-origin")).isEqualTo("http://app.example");
        assertThat(any.headers().get("vary")).isEqualTo("Origin");
        FullHttpResponse none = call(root, HttpMethod.GET, "/");
        assertThat(none.headers().contains("access-control-allow-origin")).isFalse();
        assertThat(none.headers().get("vary")).isEqualTo("Origin");

        FullHttpResponse listed = call(myapp, HttpMethod.GET, "/peerjs/myapp", "Origin", "http://ok.example");
        assertThat(listed.headers().get("access-control-allow-origin")).isEqualTo("http://ok.example");
        FullHttpResponse unlisted = call(myapp, HttpMethod.GET, "/peerjs/myapp", "Origin", "http://evil.example");
        assertThat(unlisted.headers().contains("access-control-allow-origin")).isFalse();

        FullHttpResponse preflight = call(root, HttpMethod.OPTIONS, "/anything/at/all", "Origin", "http://app.example",
                "Access-Control-Request-Headers", "x-a");
        assertThat(preflight.status().code()).isEqualTo(204);
        assertThat(preflight.headers().get("access-control-allow-methods")).isEqualTo("GET,HEAD,PUT,PATCH,POST,DELETE");
        assertThat(preflight.headers().get("access-control-allow-headers")).isEqualTo("x-a");
        assertThat(preflight.headers().get("vary")).isEqualTo("Origin, Access-Control-Request-Headers");
    }

    @Test
    void headGetsGetsHeadersWithoutABody() {
        FullHttpResponse head = call(root, HttpMethod.HEAD, "/peerjs/id");
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.headers().getInt("content-length")).isEqualTo(36);
        assertThat(head.content().readableBytes()).isZero();
    }

    @Test
    void upgradesAtOtherPathsAreRefusedAsTheOriginalsWebSocketServerDid() {
        FullHttpResponse response = call(root, HttpMethod.GET, "/", "Connection", "Upgrade", "Upgrade", "websocket");
        assertThat(response.status().code()).isEqualTo(400);
        assertThat(body(response)).isEqualTo("Bad Request");
    }

    @Test
    void infoHasTheOriginalsKeys() {
        FullHttpResponse info = call(myapp, HttpMethod.GET, "/peerjs/myapp/");
        assertThat(info.headers().get("content-type")).isEqualTo("application/json; charset=utf-8");
        assertThat(body(info)).startsWith("{\"name\":").contains("\"description\":", "\"website\":");
    }
}
