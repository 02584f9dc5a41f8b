package io.signalman.dialect.nativeproto;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.config.IceServer;
import io.signalman.ice.IceGrant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ICE servers as welcomes carry them: the remembered text of a static list never serves another list. */
class IceServersJsonTest {

    private static final IceServer STUN = new IceServer(List.of("stun:127.0.0.1:3478"), null, null);

    @Test
    void aStaticListIsWrittenInTheRtcIceServerShape() {
        assertThat(IceServersJson.encode(new IceGrant(List.of(STUN), 0)))
                .isEqualTo("[{\"urls\":[\"stun:127.0.0.1:3478\"]}]");
        assertThat(IceServersJson.encode(new IceGrant(List.of(), 0))).isEqualTo("[]");
    }

    @Test
    void eachStaticListGetsItsOwnText() {
        // Nodes in one JVM (tests, tools) may be configured differently: alternate between two lists.
        List<IceServer> other = List.of(new IceServer(List.of("stun:127.0.0.2:3478", "stun:127.0.0.3:3478"), null, null));
        for (int i = 0; i < 3; i++) {
            assertThat(IceServersJson.encode(new IceGrant(List.of(STUN), 0))).isEqualTo("[{\"urls\":[\"stun:127.0.0.1:3478\"]}]");
            assertThat(IceServersJson.encode(new IceGrant(other, 0)))
                    .isEqualTo("[{\"urls\":[\"stun:127.0.0.2:3478\",\"stun:127.0.0.3:3478\"]}]");
        }
    }

    @Test
    void mintedCredentialsAreWrittenAsGranted() {
        for (String user : new String[] {"1700000000:a", "1700000000:b"}) {
            IceServer turn = new IceServer(List.of("turn:127.0.0.1:3478"), user, "secret-of-" + user);
            assertThat(IceServersJson.encode(new IceGrant(List.of(STUN, turn), 3600)))
                    .isEqualTo("[{\"urls\":[\"stun:127.0.0.1:3478\"]},{\"urls\":[\"turn:127.0.0.1:3478\"],\"username\":\""
                            + user + "\",\"credential\":\"secret-of-" + user + "\"}]");
        }
    }
}
