package io.signalman.dialect.workspaces;

/** The "up and running" page and logo at the root of a workspaces listener, as the original served them. */
final class WorkspacesPage {
    private WorkspacesPage() {}

    static final String HTML = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>webRTC Signaling Server</title>
            <style>body{font-family:system-ui,sans-serif;text-align:center;margin-top:4rem}</style></head>
            <body>
            <img src="logo.svg" alt="" width="96" height="96">
            <h1>Yupiii!!!</h1>
            <p>Your webRTCWorkspaces Signaling Server is up and running!</p>
            <p>Version: 1.0.1 (served by Signalman)</p>
            </body>
            </html>
            """;

    static final String LOGO = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96"><circle cx="48" cy="48" r="44" fill="#2b6cb0"/>\
            <circle cx="32" cy="44" r="10" fill="#fff"/><circle cx="64" cy="44" r="10" fill="#fff"/>\
            <path d="M22 70c6-10 16-14 26-14s20 4 26 14" stroke="#fff" stroke-width="6" fill="none"/></svg>
            """;
}
