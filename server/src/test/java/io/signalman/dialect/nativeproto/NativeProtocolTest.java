package io.signalman.dialect.nativeproto;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.testing.Json;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The native protocol over real sockets: every request, every error, and bad input that harms nobody. */
class NativeProtocolTest {

    private static TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = new TestServer(TestConfigs.builder().abuse(io.signalman.transport.AbuseLimits.unlimited()).roomCapacity(3).messageBytes(1024).hardFrameBytes(8192)
                .maxMetaBytes(512).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::close);
    }

    /** A connected client whose welcome has been read; its peer id is in {@link Peer#id}. */
    private record Peer(WsClient ws, String id) {}

    private Peer connect() {
        WsClient ws = WsClient.connect(server.ws("main") + "/v1/ws");
        clients.add(ws);
        String welcome = ws.next();
        assertThat(Json.field(welcome, "type")).isEqualTo("welcome");
        return new Peer(ws, Json.field(welcome, "peer"));
    }

    private Peer joined(String room) {
        Peer peer = connect();
        peer.ws.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        assertThat(Json.field(peer.ws.next(), "type")).isEqualTo("joined");
        return peer;
    }

    @Test
    void welcomeCarriesIdentityIceServersAndLimits() {
        WsClient ws = WsClient.connect(server.ws("main") + "/v1/ws");
        clients.add(ws);
        String welcome = ws.next();
        assertThat(welcome).matches("\\{\"type\":\"welcome\",\"peer\":\"[0-9A-Za-z]{10}\",\"session\":\"[-_0-9A-Za-z]{32}\","
                + "\"resumed\":false,\"iceServers\":\\[\\{\"urls\":\\[\"stun:stun.l.google.com:19302\"]}],\"ttl\":0,"
                + "\"heartbeatMs\":25000,\"limits\":\\{\"messageBytes\":1024}}");
    }

    @Test
    void twoPeersJoinAndExchangeOfferAndAnswerByteForByte() {
        Peer a = connect();
        a.ws.send("{\"type\":\"join\",\"room\":\"demo\",\"id\":1}");
        assertThat(a.ws.next()).isEqualTo("{\"type\":\"joined\",\"re\":1,\"room\":\"demo\",\"peers\":[]}");

        Peer b = connect();
        b.ws.send("{\"type\":\"join\",\"room\":\"demo\",\"id\":\"a\",\"meta\":{\"name\": \"Bo\"}}");
        assertThat(b.ws.next()).isEqualTo(
                "{\"type\":\"joined\",\"re\":\"a\",\"room\":\"demo\",\"peers\":[{\"peer\":\"" + a.id + "\",\"meta\":{}}]}");
        assertThat(a.ws.next()).isEqualTo(
                "{\"type\":\"peer-joined\",\"room\":\"demo\",\"peer\":\"" + b.id + "\",\"meta\":{\"name\": \"Bo\"}}");

        String offer = "{\"type\":\"offer\",  \"sdp\":\"v=0\\r\\no=- 46117 2 IN IP4 127.0.0.1\\r\\n\\u00e9\"}";
        b.ws.send("{\"type\":\"signal\",\"to\":\"" + a.id + "\",\"data\":" + offer + "}");
        assertThat(a.ws.next()).isEqualTo("{\"type\":\"signal\",\"from\":\"" + b.id + "\",\"data\":" + offer + "}");

        String answer = "{ \"type\" : \"answer\", \"sdp\" : \"v=0\\r\\n\" }";
        a.ws.send("{\"type\":\"signal\",\"to\":\"" + b.id + "\",\"room\":\"demo\",\"id\":9,\"data\":" + answer + "}");
        assertThat(a.ws.next()).isEqualTo("{\"type\":\"ack\",\"re\":9}");
        assertThat(b.ws.next()).isEqualTo(
                "{\"type\":\"signal\",\"from\":\"" + a.id + "\",\"room\":\"demo\",\"data\":" + answer + "}");
    }

    @Test
    void anyJsonValueIsRelayedAsData() {
        Peer a = joined("values");
        Peer b = joined("values");
        a.ws.next(); // peer-joined
        for (String data : List.of("1.5e3", "\"text\"", "null", "true", "[1, [2, {}]]", "{}")) {
            b.ws.send("{\"data\":" + data + ",\"to\":\"" + a.id + "\",\"type\":\"signal\"}");
            assertThat(a.ws.next()).isEqualTo("{\"type\":\"signal\",\"from\":\"" + b.id + "\",\"data\":" + data + "}");
        }
    }

    @Test
    void broadcastReachesEveryOtherMemberAndNobodyElse() {
        Peer a = joined("cast");
        Peer b = joined("cast");
        Peer c = joined("cast");
        Peer outsider = joined("other");
        a.ws.next();
        a.ws.next();
        b.ws.next();

        a.ws.send("{\"type\":\"broadcast\",\"room\":\"cast\",\"id\":\"x\",\"data\":{\"chat\":\"hi\"}}");
        assertThat(a.ws.next()).isEqualTo("{\"type\":\"ack\",\"re\":\"x\"}");
        String expected = "{\"type\":\"broadcast\",\"room\":\"cast\",\"from\":\"" + a.id + "\",\"data\":{\"chat\":\"hi\"}}";
        assertThat(b.ws.next()).isEqualTo(expected);
        assertThat(c.ws.next()).isEqualTo(expected);
        a.ws.expectSilence(200);
        outsider.ws.expectSilence(0);
    }

    @Test
    void leaveAndDisconnectAreAnnounced() {
        Peer a = joined("bye");
        Peer b = joined("bye");
        a.ws.next();
        b.ws.send("{\"type\":\"leave\",\"room\":\"bye\",\"id\":3}");
        assertThat(b.ws.next()).isEqualTo("{\"type\":\"left\",\"re\":3,\"room\":\"bye\"}");
        assertThat(a.ws.next()).isEqualTo(
                "{\"type\":\"peer-left\",\"room\":\"bye\",\"peer\":\"" + b.id + "\",\"reason\":\"left\"}");

        Peer c = joined("bye");
        a.ws.next();
        c.ws.close();
        assertThat(a.ws.next()).isEqualTo(
                "{\"type\":\"peer-left\",\"room\":\"bye\",\"peer\":\"" + c.id + "\",\"reason\":\"disconnected\"}");

        Peer d = joined("bye");
        a.ws.next();
        d.ws.abort(); // a loss: the session waits for its client to resume (NativeResumeTest)
        a.ws.expectSilence(300);
    }

    @Test
    void pingAndIceAreAnswered() {
        Peer a = connect();
        a.ws.send("{\"type\":\"ping\"}");
        assertThat(a.ws.next()).isEqualTo("{\"type\":\"pong\"}");
        a.ws.send("{\"type\":\"ping\",\"id\":\"p\"}");
        assertThat(a.ws.next()).isEqualTo("{\"type\":\"pong\",\"re\":\"p\"}");
        a.ws.send("{\"type\":\"ice\",\"id\":2}");
        assertThat(a.ws.next()).isEqualTo(
                "{\"type\":\"ice-servers\",\"re\":2,\"iceServers\":[{\"urls\":[\"stun:stun.l.google.com:19302\"]}],\"ttl\":0}");
    }

    @Test
    void roomCapacityIsEnforced() {
        joined("small");
        joined("small");
        joined("small");
        Peer late = connect();
        late.ws.send("{\"type\":\"join\",\"room\":\"small\",\"id\":5}");
        assertThat(late.ws.next()).isEqualTo(
                "{\"type\":\"error\",\"re\":5,\"code\":\"room-full\",\"message\":\"room 'small' is full (3 peers)\"}");
    }

    static Stream<Arguments> badFrames() {
        return Stream.of(
                Arguments.of("not json", "bad-json", "invalid JSON"),
                Arguments.of("{\"type\":\"ping\"", "bad-json", "invalid JSON"),
                Arguments.of("{} {}", "bad-json", "trailing content after the JSON object"),
                Arguments.of("{\"type\":\"ping\",\"type\":\"ping\"}", "bad-json", "invalid JSON"),
                Arguments.of("", "bad-json", "empty frame"),
                Arguments.of("[1,2]", "bad-request", "a frame must be a JSON object"),
                Arguments.of("42", "bad-request", "a frame must be a JSON object"),
                Arguments.of("\"join\"", "bad-request", "a frame must be a JSON object"),
                Arguments.of("null", "bad-request", "a frame must be a JSON object"),
                Arguments.of("{}", "bad-request", "'type' is required"),
                Arguments.of("{\"type\":7}", "bad-request", "'type' must be a string"),
                Arguments.of("{\"type\":{\"to\":\"x\"},\"to\":\"y\"}", "bad-request", "'type' must be a string"),
                Arguments.of("{\"type\":\"dance\"}", "unknown-type", "unknown type 'dance'"),
                Arguments.of("{\"type\":\"join\"}", "bad-request", "'room' is required"),
                Arguments.of("{\"type\":\"join\",\"room\":5}", "bad-request", "'room' must be a string"),
                Arguments.of("{\"type\":\"join\",\"room\":\"\"}", "bad-request",
                        "'room' must be a non-empty string of at most 128 characters"),
                Arguments.of("{\"type\":\"join\",\"room\":\"" + "r".repeat(129) + "\"}", "bad-request",
                        "'room' must be a non-empty string of at most 128 characters"),
                Arguments.of("{\"type\":\"join\",\"room\":\"m\",\"meta\":[1]}", "bad-request", "'meta' must be a JSON object"),
                Arguments.of("{\"type\":\"join\",\"room\":\"m\",\"meta\":{\"a\":\"" + "x".repeat(600) + "\"}}",
                        "bad-request", "'meta' is larger than 512 bytes"),
                Arguments.of("{\"type\":\"signal\",\"data\":{}}", "bad-request", "'to' is required"),
                Arguments.of("{\"type\":\"signal\",\"to\":[],\"data\":{}}", "bad-request",
                        "'to' must be a peer id (a non-empty string)"),
                Arguments.of("{\"type\":\"signal\",\"to\":\"x\"}", "bad-request", "'data' is required"),
                Arguments.of("{\"type\":\"broadcast\",\"data\":1}", "bad-request", "'room' is required"),
                Arguments.of("{\"type\":\"ping\",\"id\":1.5}", "bad-request", "'id' must be a string or an integer"),
                Arguments.of("{\"type\":\"ping\",\"id\":{}}", "bad-request", "'id' must be a string or an integer"),
                Arguments.of("{\"type\":\"signal\",\"to\":\"x\",\"data\":" + "[".repeat(40) + "]".repeat(40) + "}",
                        "bad-request", null));
    }

    @ParameterizedTest(name = "[{index}] {1} for {0}")
    @MethodSource("badFrames")
    void badFramesGetTheirErrorAndHarmNobody(String frame, String code, String message) {
        Peer bystander = joined("calm");
        Peer sender = joined("calm");
        bystander.ws.next(); // peer-joined

        sender.ws.send(frame);
        String error = sender.ws.next();
        assertThat(Json.field(error, "type")).isEqualTo("error");
        assertThat(Json.field(error, "code")).isEqualTo(code);
        if (message != null) assertThat(Json.field(error, "message")).isEqualTo(message);

        assertStillWorks(sender, bystander);
    }

    @Test
    void errorsCarryTheRequestId() {
        Peer a = connect();
        a.ws.send("{\"type\":\"leave\",\"room\":\"nowhere\",\"id\":\"q1\"}");
        assertThat(a.ws.next()).isEqualTo(
                "{\"type\":\"error\",\"re\":\"q1\",\"code\":\"not-in-room\",\"message\":\"not in room 'nowhere'\"}");
        a.ws.send("{\"type\":\"launch\",\"id\":77}");
        assertThat(a.ws.next()).isEqualTo(
                "{\"type\":\"error\",\"re\":77,\"code\":\"unknown-type\",\"message\":\"unknown type 'launch'\"}");
    }

    @Test
    void binaryFramesAreRefused() {
        Peer bystander = joined("bin");
        Peer sender = joined("bin");
        bystander.ws.next();
        sender.ws.sendBinary(new byte[] {1, 2, 3});
        assertThat(Json.field(sender.ws.next(), "code")).isEqualTo("unsupported");
        assertStillWorks(sender, bystander);
    }

    @Test
    void oversizedFramesAreRefusedThenRepeatedOnesClose() {
        Peer bystander = joined("big");
        Peer sender = joined("big");
        bystander.ws.next();
        String big = "{\"type\":\"broadcast\",\"room\":\"big\",\"data\":\"" + "x".repeat(2000) + "\"}";
        sender.ws.send(big);
        assertThat(sender.ws.next()).isEqualTo("{\"type\":\"error\",\"code\":\"too-large\","
                + "\"message\":\"frame of " + big.length() + " bytes exceeds the limit of 1024\"}");
        assertStillWorks(sender, bystander);

        sender.ws.send(big).send(big).send(big);
        for (int i = 0; i < 3; i++) assertThat(Json.field(sender.ws.next(), "code")).isEqualTo("too-large");
        assertThat(sender.ws.awaitClose()).isEqualTo(1009);
        assertThat(bystander.ws.next()).contains("\"type\":\"peer-left\"");
        bystander.ws.expectSilence(100);
    }

    @Test
    void framesBeyondTheHardCapCloseTheConnection() {
        Peer bystander = joined("huge");
        Peer sender = joined("huge");
        bystander.ws.next();
        sender.ws.send("{\"data\":\"" + "y".repeat(10_000) + "\"}");
        // 1009, or a reset when the server closes while the client still sends the frame's tail (-1)
        assertThat(sender.ws.awaitClose()).isIn(1009, -1);
        assertThat(bystander.ws.next()).contains("\"type\":\"peer-left\"");
        bystander.ws.send("{\"type\":\"ping\"}");
        assertThat(bystander.ws.next()).isEqualTo("{\"type\":\"pong\"}");
    }

    @Test
    void signalsToSelfUnknownPeersAndOtherRoomsAreRefused() {
        Peer a = joined("one");
        Peer b = joined("one");
        Peer stranger = joined("two");
        a.ws.next();

        b.ws.send("{\"type\":\"signal\",\"to\":\"" + b.id + "\",\"data\":{},\"id\":1}");
        assertThat(b.ws.next()).isEqualTo(
                "{\"type\":\"error\",\"re\":1,\"code\":\"bad-request\",\"message\":\"'to' is your own peer id\"}");
        b.ws.send("{\"type\":\"signal\",\"to\":\"nobody\",\"data\":{},\"id\":7}");
        assertThat(b.ws.next()).isEqualTo(
                "{\"type\":\"error\",\"re\":7,\"code\":\"peer-unavailable\",\"message\":\"no peer 'nobody' in your rooms\"}");
        b.ws.send("{\"type\":\"signal\",\"to\":\"" + stranger.id + "\",\"data\":{}}");
        assertThat(Json.field(b.ws.next(), "code")).isEqualTo("peer-unavailable");
        b.ws.send("{\"type\":\"signal\",\"to\":\"" + stranger.id + "\",\"room\":\"two\",\"data\":{}}");
        assertThat(b.ws.next()).isEqualTo(
                "{\"type\":\"error\",\"code\":\"not-in-room\",\"message\":\"not in room 'two'\"}");
        b.ws.send("{\"type\":\"signal\",\"to\":\"" + stranger.id + "\",\"room\":\"one\",\"data\":{}}");
        assertThat(b.ws.next()).isEqualTo("{\"type\":\"error\",\"code\":\"peer-unavailable\","
                + "\"message\":\"no peer '" + stranger.id + "' in room 'one'\"}");
        b.ws.send("{\"type\":\"broadcast\",\"room\":\"two\",\"data\":{}}");
        assertThat(Json.field(b.ws.next(), "code")).isEqualTo("not-in-room");

        stranger.ws.expectSilence(200);
        a.ws.expectSilence(0);
    }

    @Test
    void joiningTwiceAndLeavingARoomNotJoinedAreRefused() {
        Peer a = joined("twice");
        a.ws.send("{\"type\":\"join\",\"room\":\"twice\"}");
        assertThat(a.ws.next()).isEqualTo(
                "{\"type\":\"error\",\"code\":\"already-in-room\",\"message\":\"already in room 'twice'\"}");
        a.ws.send("{\"type\":\"leave\",\"room\":\"elsewhere\"}");
        assertThat(Json.field(a.ws.next(), "code")).isEqualTo("not-in-room");
    }

    @Test
    void aClientThatJoinsAndLeavesAThousandTimesLeavesNothingBehind() {
        Peer watcher = joined("churn");
        Peer busy = connect();
        for (int i = 0; i < 1000; i++) {
            busy.ws.send("{\"type\":\"join\",\"room\":\"churn\",\"id\":" + i + "}");
            busy.ws.send("{\"type\":\"leave\",\"room\":\"churn\",\"id\":" + i + "}");
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(busy.ws.next()).startsWith("{\"type\":\"joined\",\"re\":" + i + ",");
            assertThat(busy.ws.next()).isEqualTo("{\"type\":\"left\",\"re\":" + i + ",\"room\":\"churn\"}");
            assertThat(watcher.ws.next()).contains("peer-joined");
            assertThat(watcher.ws.next()).contains("peer-left");
        }
        busy.ws.send("{\"type\":\"signal\",\"to\":\"" + watcher.id + "\",\"data\":{}}");
        assertThat(Json.field(busy.ws.next(), "code")).isEqualTo("peer-unavailable");
    }

    /** The sender can still work, and the bystander saw nothing of the bad frame. */
    private static void assertStillWorks(Peer sender, Peer bystander) {
        sender.ws.send("{\"type\":\"ping\",\"id\":\"alive\"}");
        assertThat(sender.ws.next()).isEqualTo("{\"type\":\"pong\",\"re\":\"alive\"}");
        sender.ws.send("{\"type\":\"signal\",\"to\":\"" + bystander.id + "\",\"data\":\"ok\"}");
        assertThat(bystander.ws.next()).isEqualTo("{\"type\":\"signal\",\"from\":\"" + sender.id + "\",\"data\":\"ok\"}");
        bystander.ws.expectSilence(50);
    }
}
