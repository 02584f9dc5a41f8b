package io.signalman.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.Locale;

/**
 * How one wire protocol registers a client, tells when it is ready to relay, and frames a relay to
 * a partner. The relay frame is {@code head + payload + tail}, built once per partner.
 */
abstract class Adapter {
    static final ObjectMapper JSON = new ObjectMapper();

    abstract String name();

    /** The WebSocket URI of {@code client}, from the base URL given on the command line. */
    URI uri(URI base, Client client) {
        return base;
    }

    /** State of one client beyond its peer id, made with the client (before it connects); none by default. */
    Object newState() {
        return null;
    }

    /** The WebSocket handshake is done. */
    abstract void opened(Client client);

    /** A frame that is not a relay. */
    abstract void control(Client client, String text);

    abstract String head(Client from, Client to);

    String tail(Client from, Client to) {
        return "}";
    }

    /** True when the server relays every frame to every other client (no addressing). */
    boolean fansOut() {
        return false;
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }

    static String type(String text) {
        JsonNode node = parse(text);
        return node == null || !node.path("type").isTextual() ? "" : node.get("type").textValue();
    }

    /** A Socket.IO websocket URI of Engine.IO version {@code eio}, unless the base names one itself. */
    static URI socketIo(URI base, int eio) {
        String s = base.toString();
        if (s.contains("EIO=")) return base;
        return withQuery(URI.create(s.endsWith("/") ? s : s + "/"), "EIO=" + eio + "&transport=websocket");
    }

    static URI withQuery(URI base, String query) {
        String s = base.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + query);
    }

    static Adapter of(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "native" -> new Native();
            case "pair" -> new Pair();
            case "broadcast" -> new Broadcast();
            case "direct" -> new Direct();
            case "peerjs" -> new Peerjs();
            case "star" -> new Star();
            case "workspaces" -> new Workspaces();
            default -> throw new IllegalArgumentException("unknown adapter " + name
                    + " (native, pair, broadcast, direct, peerjs, star, workspaces)");
        };
    }

    /** Signalman's own protocol: welcome, join a room per pair, signal by the server's peer id. */
    static final class Native extends Adapter {
        String name() { return "native"; }

        void opened(Client client) {}

        void control(Client client, String text) {
            JsonNode node = parse(text);
            if (node == null) return;
            switch (node.path("type").asText()) {
                case "welcome" -> {
                    client.peerId = node.path("peer").asText();
                    client.sendText("{\"type\":\"join\",\"room\":\"" + client.room + "\"}");
                }
                case "joined" -> client.markReady();
                case "error" -> client.refused(text);
                default -> { }
            }
        }

        String head(Client from, Client to) {
            return "{\"type\":\"signal\",\"to\":\"" + to.peerId + "\",\"data\":";
        }
    }

    /** Seed 002: join with userId and remoteId, then "message" goes to the other member. */
    static final class Pair extends Adapter {
        String name() { return "pair"; }

        void opened(Client client) {
            client.sendText("{\"type\":\"join\",\"userId\":\"" + client.id + "\",\"remoteId\":\"" + client.partner.id + "\"}");
        }

        void control(Client client, String text) {
            String type = type(text);
            if (type.equals("created") || type.equals("joined")) client.markReady();
        }

        String head(Client from, Client to) {
            return "{\"type\":\"message\",\"data\":";
        }
    }

    /** Seed 003: every frame goes to every other client of the listener. */
    static final class Broadcast extends Adapter {
        String name() { return "broadcast"; }

        void opened(Client client) {
            client.markReady();
        }

        void control(Client client, String text) {}

        String head(Client from, Client to) {
            return "";
        }

        String tail(Client from, Client to) {
            return "";
        }

        boolean fansOut() {
            return true;
        }
    }

    /** Seed 004: the id is the URL path; a frame goes to the peer named by its "id". */
    static final class Direct extends Adapter {
        String name() { return "direct"; }

        URI uri(URI base, Client client) {
            String s = base.toString();
            return URI.create((s.endsWith("/") ? s : s + "/") + client.id);
        }

        void opened(Client client) {
            client.markReady();
        }

        void control(Client client, String text) {}

        String head(Client from, Client to) {
            return "{\"id\":\"" + to.id + "\",\"data\":";
        }
    }

    /** PeerJS server (npm peer 1.0.2): OPEN after connecting, OFFER to dst. */
    static final class Peerjs extends Adapter {
        String name() { return "peerjs"; }

        URI uri(URI base, Client client) {
            return withQuery(base, "key=peerjs&id=" + client.id + "&token=t" + client.index);
        }

        void opened(Client client) {}

        void control(Client client, String text) {
            String type = type(text);
            if (type.equals("OPEN")) client.markReady();
            else if (type.equals("ERROR") || type.equals("ID-TAKEN")) client.refused(text);
        }

        String head(Client from, Client to) {
            return "{\"type\":\"OFFER\",\"dst\":\"" + to.id + "\",\"payload\":";
        }
    }

    /**
     * libp2p webrtc-star over Socket.IO 4 (Engine.IO 4 websocket framing written directly): open
     * packet, namespace connect, ss-join, and ss-handshake relayed as ws-handshake. The join has no
     * answer, so readiness is a handshake to oneself coming back.
     */
    static final class Star extends Adapter {
        String name() { return "star"; }

        URI uri(URI base, Client client) {
            return socketIo(base, 4);
        }

        static String address(Client client) {
            return "/ip4/127.0.0.1/tcp/9090/ws/p2p-webrtc-star/p2p/" + client.id;
        }

        void opened(Client client) {}

        void control(Client client, String text) {
            if (text.equals("2")) {
                client.sendText("3"); // Engine.IO 4 ping from the server
            } else if (text.startsWith("0")) {
                client.sendText("40");
            } else if (text.startsWith("40")) {
                String address = address(client);
                client.sendText("42[\"ss-join\",\"" + address + "\"]");
                client.sendText("42[\"ss-handshake\",{\"intentId\":\"ready\",\"srcMultiaddr\":\"" + address
                        + "\",\"dstMultiaddr\":\"" + address + "\",\"signal\":{}}]");
            } else if (text.startsWith("42[\"ws-handshake\"") && text.contains("\"intentId\":\"ready\"")) {
                client.markReady();
            } else if (text.startsWith("41") || text.startsWith("44")) {
                client.refused(text);
            }
        }

        String head(Client from, Client to) {
            return "42[\"ss-handshake\",{\"intentId\":\"b\",\"srcMultiaddr\":\"" + address(from)
                    + "\",\"dstMultiaddr\":\"" + address(to) + "\",\"signal\":";
        }

        String tail(Client from, Client to) {
            return "}]";
        }
    }

    /**
     * webRTCWorkspaces over Socket.IO 2 (Engine.IO 3 websocket framing written directly, pings sent
     * by the client as Engine.IO 3 wants). Of a pair, the first client creates a workspace and the
     * second attends it with the invitation the first got; both are then ready, and relays are
     * {@code icecandidate} events addressed by attendee id, which the server forwards without a
     * token check. A client without a partner (conns) is ready once its Socket.IO session is
     * connected: creating a workspace costs the server two bcrypt hashes by the protocol's design,
     * which would make a conns run measure bcrypt.
     */
    static final class Workspaces extends Adapter {
        private static final String PIN = "2468";

        /** What one client learned from the server; guarded by the pair's creator state. */
        static final class State {
            boolean connected;
            String workspaceId;
            String invitation;
            String accessToken;
            boolean attendSent;
        }

        String name() { return "workspaces"; }

        URI uri(URI base, Client client) {
            return socketIo(base, 3);
        }

        Object newState() {
            return new State();
        }

        void opened(Client client) {}

        private static boolean lone(Client client) {
            return client.partner.index < 0;
        }

        private static boolean creates(Client client) {
            return client.index % 2 == 0;
        }

        /** This adapter's state of a client: every client it serves was made with {@link #newState()}. */
        private static State state(Client client) {
            return (State) client.state;
        }

        /** The state both clients of a pair synchronize on: the creator's. */
        private static State lock(Client client) {
            return state(creates(client) ? client : client.partner);
        }

        void control(Client client, String text) {
            if (text.startsWith("0{")) {
                pingEvery(client, parse(text.substring(1)).path("pingInterval").asLong(25_000));
            } else if (text.equals("40")) {
                connected(client);
            } else if (text.startsWith("42[")) {
                JsonNode event = parse(text.substring(2));
                if (event == null) return;
                JsonNode data = event.path(1);
                switch (event.path(0).asText()) {
                    case "created" -> {
                        granted(client, data);
                        invitation(client, data.path("workspace").path("token").asText());
                    }
                    case "attendance-granted" -> granted(client, data);
                    case "alert", "full", "destroyed" -> client.refused(text);
                    default -> { }
                }
            } else if (text.startsWith("41") || text.startsWith("44")) {
                client.refused(text);
            }
        }

        /** Engine.IO 3: the client pings, and the server closes a session that stays quiet too long. */
        private static void pingEvery(Client client, long intervalMs) {
            io.netty.channel.Channel channel = client.channel;
            long every = Math.max(1_000, intervalMs * 4 / 5);
            var task = channel.eventLoop().scheduleAtFixedRate(() -> client.sendText("2"), every, every,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            channel.closeFuture().addListener(f -> task.cancel(false));
        }

        private void connected(Client client) {
            if (lone(client)) {
                client.markReady();
            } else if (creates(client)) {
                client.sendText("42[\"create\",{\"workspace\":{\"name\":\"bench\",\"pin\":\"" + PIN
                        + "\",\"avatar\":\"\"},\"attendee\":{\"name\":\"" + client.id
                        + "\",\"avatar\":\"\"},\"nonce\":\"create-workspace::bench\"}]");
            } else {
                State lock = lock(client);
                synchronized (lock) {
                    state(client).connected = true;
                }
                attendIfBoth(client, lock);
            }
        }

        private static void invitation(Client creator, String token) {
            State lock = state(creator);
            synchronized (lock) {
                lock.invitation = token;
            }
            attendIfBoth(creator.partner, lock);
        }

        /** The attending client sends attend once it is connected and its partner has the invitation. */
        private static void attendIfBoth(Client attendee, State lock) {
            String invitation;
            synchronized (lock) {
                State mine = state(attendee);
                if (!mine.connected || lock.invitation == null || mine.attendSent) return;
                mine.attendSent = true;
                invitation = lock.invitation;
            }
            attendee.sendText("42[\"attend\",{\"workspace\":{\"token\":\"" + invitation + "\",\"pin\":\"" + PIN
                    + "\"},\"attendee\":{\"name\":\"" + attendee.id + "\",\"avatar\":\"\"},"
                    + "\"nonce\":\"attend-workspace::bench\"}]");
        }

        private static void granted(Client client, JsonNode data) {
            State state = state(client);
            synchronized (lock(client)) {
                state.workspaceId = data.path("workspace").path("id").asText();
                state.accessToken = data.path("accessToken").asText();
            }
            client.peerId = data.path("attendee").path("id").asText();
            client.markReady();
        }

        String head(Client from, Client to) {
            State state = state(from);
            synchronized (lock(from)) {
                return "42[\"icecandidate\",{\"attendee\":{\"id\":\"" + to.peerId + "\"},\"broadcaster\":{\"id\":\""
                        + from.peerId + "\"},\"workspace\":{\"id\":\"" + state.workspaceId + "\"},\"accessToken\":\""
                        + state.accessToken + "\",\"candidate\":";
            }
        }

        String tail(Client from, Client to) {
            return "}]";
        }
    }
}
