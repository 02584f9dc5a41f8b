package io.signalman.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import io.signalman.core.Switchboard;
import io.signalman.testing.Json;
import io.signalman.testing.TestConfigs;
import io.signalman.testing.TestServer;
import io.signalman.testing.WsClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Native-protocol authentication end to end: tokens minted by {@code signalman token}, checked by a node. */
class NativeAuthTest {
    private static final String SECRET = "a-development-secret-of-32-bytes!";
    private static final String OTHER_SECRET = "another-secret-that-is-32-bytes!!";

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private TestServer server(AuthOptions auth) {
        TestServer server = new TestServer(TestConfigs.builder().auth(auth).build());
        open.add(server);
        return server;
    }

    private static AuthOptions hs256(boolean required, Switchboard.DuplicatePolicy duplicates) {
        return new AuthOptions(required, List.of(SECRET), List.of(), null, null, null, "rooms", duplicates);
    }

    private WsClient connect(TestServer server, String token) {
        WsClient ws = WsClient.connect(server.ws("main") + "/v1/ws" + (token == null ? "" : "?token=" + token));
        open.add(ws);
        return ws;
    }

    /** Runs {@code signalman token} with these arguments and returns what it printed. */
    static String mint(String... args) {
        StringWriter out = new StringWriter();
        int status = new CommandLine(new TokenCommand()).setOut(new PrintWriter(out)).execute(args);
        assertThat(status).isZero();
        return out.toString().trim();
    }

    private static void assertRefused(WsClient ws, String code) {
        String frame = ws.next();
        assertThat(Json.field(frame, "type")).isEqualTo("error");
        assertThat(Json.field(frame, "code")).isEqualTo(code);
        assertThat(ws.awaitClose()).isEqualTo(1008);
    }

    @Test
    void aValidTokenBindsThePeerIdToItsSubject() {
        TestServer server = server(hs256(true, Switchboard.DuplicatePolicy.REPLACE));
        WsClient ws = connect(server, mint("--sub", "alice", "--auth-secret", SECRET));
        String welcome = ws.next();
        assertThat(Json.field(welcome, "type")).isEqualTo("welcome");
        assertThat(Json.field(welcome, "peer")).isEqualTo("alice");
        assertThat(server.server().config().auth().required()).isTrue();
        assertThat(scrape(server)).contains("signalman_auth_total{result=\"ok\"} 1.0");
    }

    @Test
    void missingExpiredForeignAndGarbledTokensAreRefusedAndCounted() {
        TestServer server = server(hs256(true, Switchboard.DuplicatePolicy.REPLACE));
        assertRefused(connect(server, null), "unauthorized");
        assertRefused(connect(server, expired("bob")), "unauthorized");
        assertRefused(connect(server, mint("--sub", "bob", "--auth-secret", OTHER_SECRET)), "unauthorized");
        assertRefused(connect(server, "not.a.jwt"), "unauthorized");
        String metrics = scrape(server);
        assertThat(metrics).contains("signalman_auth_total{result=\"missing\"} 1.0")
                .contains("signalman_auth_total{result=\"expired\"} 1.0")
                .contains("signalman_auth_total{result=\"bad-signature\"} 1.0")
                .contains("signalman_auth_total{result=\"malformed\"} 1.0")
                .contains("signalman_errors_total{code=\"unauthorized\",dialect=\"native\"} 4.0");
    }

    /** A token that expired a minute ago (beyond the verifier's few seconds of clock skew). */
    private static String expired(String subject) {
        try {
            java.util.Date past = new java.util.Date(System.currentTimeMillis() - 60_000);
            com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                    new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
                    new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(subject).expirationTime(past).build());
            jwt.sign(new com.nimbusds.jose.crypto.MACSigner(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aWrongAudienceOrIssuerIsRefused() {
        TestServer server = server(new AuthOptions(true, List.of(SECRET), List.of(), null, "signalman", "https://id.example",
                "rooms", Switchboard.DuplicatePolicy.REPLACE));
        assertRefused(connect(server, mint("--sub", "c", "--auth-secret", SECRET, "--audience", "elsewhere",
                "--issuer", "https://id.example")), "unauthorized");
        assertRefused(connect(server, mint("--sub", "c", "--auth-secret", SECRET, "--audience", "signalman",
                "--issuer", "https://other.example")), "unauthorized");
        WsClient ok = connect(server, mint("--sub", "c", "--auth-secret", SECRET, "--audience", "signalman",
                "--issuer", "https://id.example"));
        assertThat(Json.field(ok.next(), "peer")).isEqualTo("c");
    }

    @Test
    void withoutRequiredTokensAnonymousPeersStillGetRandomIds() {
        TestServer server = server(hs256(false, Switchboard.DuplicatePolicy.REPLACE));
        WsClient anonymous = connect(server, null);
        assertThat(Json.field(anonymous.next(), "peer")).matches("[0-9A-Za-z]{10}");
        // A token that is given is still checked.
        assertRefused(connect(server, mint("--sub", "d", "--auth-secret", OTHER_SECRET)), "unauthorized");
    }

    @Test
    void replacePolicyEvictsTheOlderConnectionWithAnErrorFrame() {
        TestServer server = server(hs256(true, Switchboard.DuplicatePolicy.REPLACE));
        String token = mint("--sub", "erin", "--auth-secret", SECRET);
        WsClient first = connect(server, token);
        assertThat(Json.field(first.next(), "peer")).isEqualTo("erin");
        first.send("{\"type\":\"join\",\"room\":\"r\"}");
        first.next();
        WsClient second = connect(server, token);
        assertThat(Json.field(second.next(), "peer")).isEqualTo("erin");
        String evicted = first.next();
        assertThat(Json.field(evicted, "code")).isEqualTo("evicted");
        assertThat(first.awaitClose()).isEqualTo(1008);
        second.send("{\"type\":\"join\",\"room\":\"r\",\"id\":1}");
        assertThat(second.next()).isEqualTo("{\"type\":\"joined\",\"re\":1,\"room\":\"r\",\"peers\":[]}");
    }

    @Test
    void aSessionProvedByATokenResumesOnlyWithATokenForTheSameIdentity() {
        TestServer server = server(hs256(false, Switchboard.DuplicatePolicy.REJECT));
        WsClient first = connect(server, mint("--sub", "gus", "--rooms", "team-*", "--auth-secret", SECRET));
        String session = Json.field(first.next(), "session");
        first.abort();

        WsClient anonymous = WsClient.connect(server.ws("main") + "/v1/ws?resume=" + session);
        open.add(anonymous);
        assertRefused(anonymous, "unauthorized");
        WsClient other = WsClient.connect(server.ws("main") + "/v1/ws?resume=" + session + "&token="
                + mint("--sub", "hal", "--auth-secret", SECRET));
        open.add(other);
        assertRefused(other, "unauthorized");

        WsClient back = WsClient.connect(server.ws("main") + "/v1/ws?resume=" + session + "&token="
                + mint("--sub", "gus", "--rooms", "team-*", "--auth-secret", SECRET));
        open.add(back);
        String welcome = back.next();
        assertThat(Json.field(welcome, "peer")).isEqualTo("gus");
        assertThat(Json.field(welcome, "resumed")).isEqualTo("true");
        back.send("{\"type\":\"join\",\"room\":\"lobby\",\"id\":1}");
        assertThat(Json.field(back.next(), "code")).as("the new token's grants hold").isEqualTo("forbidden");
    }

    @Test
    void rejectPolicyRefusesTheNewcomerAndKeepsTheHolder() {
        TestServer server = server(hs256(true, Switchboard.DuplicatePolicy.REJECT));
        String token = mint("--sub", "fay", "--auth-secret", SECRET);
        WsClient first = connect(server, token);
        first.next();
        assertRefused(connect(server, token), "id-taken");
        first.send("{\"type\":\"ping\",\"id\":2}");
        assertThat(first.next()).isEqualTo("{\"type\":\"pong\",\"re\":2}");
    }

    @Test
    void roomGrantsLimitWhichRoomsATokenMayJoin() {
        TestServer server = server(hs256(true, Switchboard.DuplicatePolicy.REPLACE));
        WsClient ws = connect(server, mint("--sub", "gil", "--auth-secret", SECRET, "--rooms", "lobby,team-*"));
        ws.next();
        ws.send("{\"type\":\"join\",\"room\":\"lobby\",\"id\":1}");
        assertThat(Json.field(ws.next(), "type")).isEqualTo("joined");
        ws.send("{\"type\":\"join\",\"room\":\"team-blue\",\"id\":2}");
        assertThat(Json.field(ws.next(), "type")).isEqualTo("joined");
        ws.send("{\"type\":\"join\",\"room\":\"admins\",\"id\":3}");
        String refused = ws.next();
        assertThat(Json.field(refused, "code")).isEqualTo("forbidden");
        assertThat(Json.field(refused, "re")).isEqualTo("3");
    }

    @Test
    void rs256AndEs256PublicKeysFromPemAndJwksVerifyTheirOwnTokensOnly() throws Exception {
        KeyPair rsa = generate("RSA", null);
        KeyPair ec = generate("EC", "secp256r1");
        KeyPair stranger = generate("RSA", null);
        Path rsaPublic = pem("rsa.pub.pem", "PUBLIC KEY", rsa.getPublic().getEncoded());
        Path rsaPrivate = pem("rsa.pem", "PRIVATE KEY", rsa.getPrivate().getEncoded());
        Path ecPrivate = pem("ec.pem", "PRIVATE KEY", ec.getPrivate().getEncoded());
        Path strangerPrivate = pem("stranger.pem", "PRIVATE KEY", stranger.getPrivate().getEncoded());
        Path jwks = dir.resolve("keys.json");
        Files.writeString(jwks, new JWKSet(TokenVerifier.toJwk(ec.getPublic())).toString());

        TestServer server = server(new AuthOptions(true, List.of(), List.of(rsaPublic), jwks, null, null, "rooms",
                Switchboard.DuplicatePolicy.REPLACE));
        WsClient viaRsa = connect(server, mint("--sub", "rsa-user", "--private-key", rsaPrivate.toString()));
        assertThat(Json.field(viaRsa.next(), "peer")).isEqualTo("rsa-user");
        WsClient viaEc = connect(server, mint("--sub", "ec-user", "--private-key", ecPrivate.toString()));
        assertThat(Json.field(viaEc.next(), "peer")).isEqualTo("ec-user");
        assertRefused(connect(server, mint("--sub", "x", "--private-key", strangerPrivate.toString())), "unauthorized");
        // An HS256 token "signed" with the RSA public key's bytes must not pass as an RSA-verified token.
        String confused = mint("--sub", "x", "--auth-secret", Files.readString(rsaPublic));
        assertRefused(connect(server, confused), "unauthorized");
    }

    private KeyPair generate(String algorithm, String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (curve != null) generator.initialize(new ECGenParameterSpec(curve));
        else generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private Path pem(String name, String label, byte[] der) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + label + "-----\n");
        return file;
    }

    private static String scrape(TestServer server) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.http("main") + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
