package io.signalman.ops;

import io.signalman.transport.Listener;
import io.signalman.transport.Routes;
import java.util.List;

/** The HTML page at {@code GET /info} of the main listener: what this node serves and where. */
public final class InfoPage {
    private InfoPage() {}

    public static String render(List<Listener> listeners) {
        StringBuilder html = new StringBuilder("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Signalman</title>
                <style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
                code{background:#f2f2f2;padding:0 .3em;border-radius:3px}td,th{padding:.2rem .8rem;text-align:left}</style>
                </head><body>
                <h1>Signalman</h1>
                <p>A WebRTC signaling server. Native clients connect to <code>/v1/ws</code>, with the
                JavaScript SDK at <a href="/sdk/signalman.js"><code>/sdk/signalman.js</code></a>; the
                <a href="/">video call demo</a> uses it. Operators read <code>/healthz</code>,
                <code>/readyz</code> and <code>/metrics</code>.</p>
                <h2>Listeners</h2><table><tr><th>address</th><th>dialect</th><th>path</th></tr>
                """);
        for (Listener listener : listeners) {
            String scheme = listener.isTls() ? "wss" : "ws";
            for (Routes.Mount mount : listener.routes().mounts()) {
                html.append("<tr><td>").append(scheme).append("://").append(escape(listener.boundAddress().toString()))
                        .append("</td><td>").append(escape(mount.endpoint().name()))
                        .append("</td><td><code>").append(escape(mount.path())).append(mount.prefix() ? "…" : "")
                        .append("</code></td></tr>\n");
            }
        }
        return html.append("</table></body></html>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
