package io.signalman.dialect.star;

/** The page at {@code GET /} of a star listener: which multiaddr to give libp2p for this server. */
final class StarPage {
    private StarPage() {}

    static final String HTML = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Signalling Server</title>
            <style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
            code{background:#f2f2f2;padding:.1em .4em;border-radius:3px;word-break:break-all}</style>
            </head><body>
            <h1>This is a libp2p-webrtc-star signalling-server</h1>
            <p>Peers that use the webrtc-star transport connect here to find each other and exchange their
            offers and answers. This one is served by Signalman.</p>
            <p>You can add this signaling-server with the address <code id="addr">…</code></p>
            <script>
            (function () {
              var host = location.hostname;
              var proto = /^\\d+\\.\\d+\\.\\d+\\.\\d+$/.test(host) ? 'ip4' : host.indexOf(':') >= 0 ? 'ip6' : 'dns4';
              var secure = location.protocol === 'https:';
              var port = location.port || (secure ? '443' : '80');
              document.getElementById('addr').textContent =
                '/' + proto + '/' + host + '/tcp/' + port + '/' + (secure ? 'wss' : 'ws') + '/p2p-webrtc-star/';
            })();
            </script>
            </body></html>
            """;
}
