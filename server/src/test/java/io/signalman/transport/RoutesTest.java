package io.signalman.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoutesTest {
    private final HttpRoute root = request -> null;
    private final HttpRoute api = request -> null;
    private final HttpRoute exact = request -> null;

    @Test
    void exactRoutesWinAndTheLongestPrefixTakesTheRest() {
        Routes routes = new Routes().httpPrefix("/", root).httpPrefix("/api/", api).http("/api/x", exact);
        assertThat(routes.http("/api/x")).isSameAs(exact);
        assertThat(routes.http("/api/y")).isNull();
        assertThat(routes.httpUnder("/api/y")).isSameAs(api);
        assertThat(routes.httpUnder("/apix")).isSameAs(root);
        assertThat(new Routes().httpPrefix("/api/", api).httpUnder("/other")).isNull();
    }
}
