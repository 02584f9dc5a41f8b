package io.signalman.transport;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/** A plain HTTP handler for one exact path. Runs on an event loop: it must not block. */
@FunctionalInterface
public interface HttpRoute {
    FullHttpResponse handle(FullHttpRequest request);
}
