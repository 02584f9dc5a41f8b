package io.signalman.ops;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.signalman.transport.HttpResponses;
import io.signalman.transport.Routes;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operator's HTTP routes on the main listener: liveness, readiness, metrics and the info page
 * ({@code /info}; {@code /} is the web demo, see {@link WebFiles}).
 */
public final class OpsRoutes {
    private OpsRoutes() {}

    /**
     * @param ready    true while the node should receive new clients
     * @param infoPage the HTML of {@code GET /info}
     */
    public static void mount(Routes routes, Metrics metrics, BooleanSupplier ready, Supplier<String> infoPage) {
        routes.http("/healthz", request -> HttpResponses.text(HttpResponseStatus.OK, "ok\n"));
        routes.http("/readyz", request -> ready.getAsBoolean()
                ? HttpResponses.text(HttpResponseStatus.OK, "ready\n")
                : HttpResponses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n"));
        routes.http("/metrics", request -> HttpResponses.of(HttpResponseStatus.OK,
                "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        routes.http("/info", request -> HttpResponses.of(HttpResponseStatus.OK, "text/html; charset=utf-8", infoPage.get()));
    }
}
