package io.signalman.transport;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Small helpers that build complete HTTP responses. */
public final class HttpResponses {
    private HttpResponses() {}

    public static FullHttpResponse of(HttpResponseStatus status, String contentType, String body) {
        return of(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static FullHttpResponse of(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    public static FullHttpResponse text(HttpResponseStatus status, String body) {
        return of(status, "text/plain; charset=utf-8", body);
    }

    public static FullHttpResponse upgradeRequired() {
        FullHttpResponse response = text(HttpResponseStatus.UPGRADE_REQUIRED, "426 Upgrade Required");
        response.headers().set(HttpHeaderNames.UPGRADE, "websocket");
        return response;
    }

    public static FullHttpResponse notFound() {
        return text(HttpResponseStatus.NOT_FOUND, "404 Not Found");
    }
}
