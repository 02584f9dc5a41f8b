package io.signalman.dialect.workspaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalman.SignalmanServer;
import io.signalman.cluster.redis.ClusterOptions;
import io.signalman.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Outside development the original's tokens need a secret and a salt; without them there is no server. */
class WorkspacesStartTest {

    private static TestConfigs.Builder workspaces() {
        return TestConfigs.builder().listen("workspaces@127.0.0.1:0");
    }

    @Test
    void refusesToStartWithoutSecretAndSalt() {
        assertThatThrownBy(() -> SignalmanServer.start(workspaces().build()).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAGICK_TOKEN").hasMessageContaining("SALT_STRING")
                .hasMessageContaining("DEVELOPMENT=true");
        assertThatThrownBy(() -> SignalmanServer.start(workspaces().originalEnv("MAGICK_TOKEN", "s").build()).close())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SALT_STRING");
        assertThatThrownBy(() -> SignalmanServer.start(workspaces().originalEnv("SALT_STRING", "s").build()).close())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MAGICK_TOKEN");
        assertThatThrownBy(() -> SignalmanServer.start(
                workspaces().originalEnv("DEVELOPMENT", "false").build()).close())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MAGICK_TOKEN");
    }

    @Test
    void startsWithSecretAndSaltOrInDevelopment() throws Exception {
        for (TestConfigs.Builder config : new TestConfigs.Builder[] {
                workspaces().originalEnv("MAGICK_TOKEN", "secret").originalEnv("SALT_STRING", "salt"),
                workspaces().originalEnv("DEVELOPMENT", "true")}) {
            try (SignalmanServer server = SignalmanServer.start(config.build())) {
                HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.address("workspaces").getPort() + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.body()).contains("Your webRTCWorkspaces Signaling Server is up and running!");
            }
        }
    }

    /** Nodes of a cluster check each other's tokens, and keep workspaces in Redis, not in a file. */
    @Test
    void aClusteredNodeNeedsASharedSecretAndNoStorageFile() {
        ClusterOptions cluster = new ClusterOptions(
                System.getenv().getOrDefault("SIGNALMAN_TEST_REDIS", "redis://127.0.0.1:6379"),
                "test:wsstart:" + System.nanoTime() + ":", "n1", 1000, 5000, 1000);
        assertThatThrownBy(() -> SignalmanServer.start(workspaces().cluster(cluster)
                .originalEnv("DEVELOPMENT", "true").build()).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--cluster").hasMessageContaining("the same on every node");
        assertThatThrownBy(() -> SignalmanServer.start(workspaces().cluster(cluster)
                .originalEnv("MAGICK_TOKEN", "secret").originalEnv("SALT_STRING", "salt")
                .workspacesStorageFile("workspaces.json").build()).close())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--workspaces-storage-file");
    }

    @Test
    void otherDialectsNeedNoSecret() {
        try (SignalmanServer server = SignalmanServer.start(TestConfigs.builder().listen("star@127.0.0.1:0").build())) {
            assertThat(server.isReady()).isTrue();
        }
    }
}
