package io.signalman.peer;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The command line of {@code bin/signalman peer}: options, checks, and the exit status. */
@Command(name = "signalman peer", mixinStandardHelpOptions = true, sortOptions = false,
        version = "Signalman peer 0.1.0",
        description = {
            "A WebRTC data-channel peer that finds its remote peer through Signalman, as seed 004's peer does: "
                + "it prints its id, offers to the id you type (or --connect), opens data channel 'test', and both "
                + "sides send \"Hello from <id>\". Then it sends the lines you type, --send TEXT or --send-file PATH, "
                + "and receives messages and files from the other side.",
            "",
            "The direct protocol connects to ws://SIGNALING_SERVER_ADDR:SIGNALING_SERVER_PORT/<id>, both read "
                + "from the environment, else from ./.env, else 127.0.0.1 and 8000. See docs/peer.md.",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:connected, greeted, and everything requested was sent (or the remote peer closed)",
            "1:an unexpected error",
            "2:usage error",
            "3:the signaling server is unreachable or refused the session",
            "4:the remote peer is unreachable (unknown to the server, or ICE failed)",
            "5:timed out (server connection, channel opening, greeting or confirmation)",
            "6:a file transfer failed (SHA-256 mismatch, unreadable or unsaveable file)"})
public final class PeerMain implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--protocol", paramLabel = "direct|native", defaultValue = "direct",
            description = "Signaling protocol: seed 004's direct dialect, or Signalman's native protocol (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "--url", paramLabel = "URL",
            description = {"direct: the server's base URL, ws://HOST:PORT (default from SIGNALING_SERVER_ADDR/PORT);",
                "native: the WebSocket URL (default ws://127.0.0.1:8080/v1/ws)."})
    String url;

    @Option(names = "--room", paramLabel = "NAME", description = "Room to join (native protocol; required there).")
    String room;

    @Option(names = "--id", paramLabel = "ID", description = "Local id to register (direct protocol; default: 4 random letters and digits).")
    String id;

    @Option(names = "--connect", paramLabel = "ID", description = "Send the offer to this remote id instead of prompting for one.")
    String connect;

    @Option(names = "--send", paramLabel = "TEXT", description = "Send this message after the greeting, then close and exit.")
    String send;

    @Option(names = "--send-file", paramLabel = "PATH", description = "Send this file after the greeting, wait for the receiver's SHA-256 check, then close and exit.")
    Path sendFile;

    @Option(names = "--receive-dir", paramLabel = "DIR", defaultValue = ".", description = "Where received files are saved (default: the working directory).")
    Path receiveDir;

    @Option(names = "--ice-server", paramLabel = "SPEC",
            description = {"STUN or TURN server, repeatable: 'stun:HOST:PORT' or 'turn:HOST:PORT username=U credential=P'.",
                "'none' for no servers at all. Default for direct: none when the server is on loopback, else "
                    + PUBLIC_STUN + " (the original's); for native: the list the server hands out."})
    List<String> iceServers = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Limit for connecting to the server, opening the channel once an offer is made, and each confirmation (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--no-stdin", description = "Do not read stdin: no prompt and no typed messages; stay until the remote peer closes.")
    boolean noStdin;

    /** Checks the options against each other and the environment; throws a usage error when they do not fit. */
    PeerOptions resolve(SignalingAddress address) {
        PeerOptions.Protocol which = switch (protocol.toLowerCase(java.util.Locale.ROOT)) {
            case "direct" -> PeerOptions.Protocol.DIRECT;
            case "native" -> PeerOptions.Protocol.NATIVE;
            default -> throw usage("--protocol must be direct or native, not '" + protocol + "'");
        };
        if (which == PeerOptions.Protocol.NATIVE && (room == null || room.isBlank())) throw usage("--protocol native needs --room NAME");
        if (which == PeerOptions.Protocol.DIRECT && room != null) throw usage("--room applies to --protocol native only");
        if (which == PeerOptions.Protocol.NATIVE && id != null) throw usage("--id applies to --protocol direct only; the native server assigns ids");
        if (id != null && (id.isEmpty() || !id.matches("[A-Za-z0-9_-]+"))) throw usage("--id must be letters, digits, '_' or '-'");
        if (connect != null && connect.strip().length() <= 2) throw usage("--connect needs an id longer than two characters");
        if (timeoutSeconds <= 0) throw usage("--timeout must be positive");
        if (sendFile != null && !Files.isReadable(sendFile)) throw usage("--send-file " + sendFile + " is not a readable file");
        if (sendFile != null && Files.isDirectory(sendFile)) throw usage("--send-file " + sendFile + " is a directory");
        if (noStdin && connect == null && (send != null || sendFile != null)) {
            // Without stdin nobody can type the id, and a sender only sends to the peer it offered to.
            throw usage("--send and --send-file with --no-stdin need --connect ID");
        }
        URI signalingUrl;
        try {
            signalingUrl = url != null ? URI.create(url)
                    : which == PeerOptions.Protocol.DIRECT ? address.baseUrl() : URI.create("ws://127.0.0.1:8080/v1/ws");
        } catch (IllegalArgumentException e) {
            throw usage("not a URL: " + e.getMessage());
        }
        if (!"ws".equals(signalingUrl.getScheme()) && !"wss".equals(signalingUrl.getScheme())) {
            throw usage("the signaling URL must start with ws:// or wss://, not '" + signalingUrl + "'");
        }
        List<IceServerSpec> ice = null;
        if (iceServers.equals(List.of("none"))) {
            ice = List.of();
        } else if (!iceServers.isEmpty()) {
            ice = new ArrayList<>();
            for (String text : iceServers) {
                try {
                    ice.add(IceServerSpec.parse(text));
                } catch (IllegalArgumentException e) {
                    throw usage(e.getMessage());
                }
            }
        } else if (which == PeerOptions.Protocol.DIRECT) {
            // On one machine no STUN server can help, and tests must not reach outside; across
            // machines, the original's public STUN server finds the address behind a NAT.
            ice = isLoopback(signalingUrl.getHost()) ? List.of() : List.of(IceServerSpec.parse(PUBLIC_STUN));
        }
        return new PeerOptions(which, signalingUrl, room, id, connect == null ? null : connect.strip(), send, sendFile,
                receiveDir, ice, Duration.ofSeconds(timeoutSeconds), !noStdin);
    }

    /** The first of the public STUN servers seed 004's peer lists. */
    static final String PUBLIC_STUN = "stun:stun.l.google.com:19302";

    static boolean isLoopback(String host) {
        if (host == null) return false;
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() {
        PeerOptions options = resolve(SignalingAddress.system());
        // JDK 17's console exists only when stdin and stdout are both terminals; that is when a bar helps.
        boolean terminal = System.console() != null;
        return new PeerSession(options, System.out, System.err, System.in, terminal).run();
    }

    /** Builds the picocli command line (also used by the tests). */
    static CommandLine commandLine(PeerMain command) {
        return new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        int status = commandLine(new PeerMain()).execute(args);
        System.out.flush();
        System.err.flush();
        // halt, not exit: the session is closed and flushed, and libwebrtc's threads that are still
        // winding down would otherwise try to attach to a JVM in shutdown and print errors.
        Runtime.getRuntime().halt(status);
    }
}
