package io.signalman.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdimascio.dotenv.Dotenv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignalingAddressTest {

    @TempDir
    Path dir;

    private Dotenv dotenv(String text) throws Exception {
        Files.writeString(dir.resolve(".env"), text);
        return Dotenv.configure().directory(dir.toString()).load();
    }

    @Test
    void defaultsTo127001Port8000() {
        SignalingAddress address = SignalingAddress.read(name -> null, null);
        assertThat(address.baseUrl()).hasToString("ws://127.0.0.1:8000");
    }

    @Test
    void readsDotEnvWhenTheEnvironmentHasNothing() throws Exception {
        Dotenv file = dotenv("SIGNALING_SERVER_ADDR=18.206.213.59\nSIGNALING_SERVER_PORT=8091\n");
        assertThat(SignalingAddress.read(name -> null, file).baseUrl()).hasToString("ws://18.206.213.59:8091");
    }

    @Test
    void theEnvironmentWinsOverDotEnv() throws Exception {
        Dotenv file = dotenv("SIGNALING_SERVER_ADDR=10.0.0.1\nSIGNALING_SERVER_PORT=8091\n");
        Map<String, String> env = Map.of("SIGNALING_SERVER_PORT", "9000");
        assertThat(SignalingAddress.read(env::get, file).baseUrl()).hasToString("ws://10.0.0.1:9000");
    }

    @Test
    void windowsLineEndingsInDotEnvDoNotLeakIntoTheUrl() throws Exception {
        Dotenv file = dotenv("SIGNALING_SERVER_ADDR=192.168.1.248\r\nSIGNALING_SERVER_PORT=8081\r\n");
        assertThat(SignalingAddress.read(name -> null, file).baseUrl()).hasToString("ws://192.168.1.248:8081");
    }

    @Test
    void anEmptyVariableCountsAsUnset() {
        Map<String, String> env = Map.of("SIGNALING_SERVER_ADDR", "", "SIGNALING_SERVER_PORT", " ");
        assertThat(SignalingAddress.read(env::get, null).baseUrl()).hasToString("ws://127.0.0.1:8000");
    }

    @Test
    void ipv6AddressesAreBracketed() {
        Map<String, String> env = Map.of("SIGNALING_SERVER_ADDR", "::1");
        assertThat(SignalingAddress.read(env::get, null).baseUrl()).hasToString("ws://[::1]:8000");
    }
}
