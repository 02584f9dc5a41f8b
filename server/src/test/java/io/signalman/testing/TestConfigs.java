package io.signalman.testing;

import io.signalman.cluster.redis.ClusterOptions;
import io.signalman.transport.AbuseLimits;
import io.signalman.config.IceServer;
import io.signalman.config.OpsOptions;
import io.signalman.security.AuthOptions;
import io.signalman.config.ListenerSpec;
import io.signalman.config.PeerjsOptions;
import io.signalman.config.ResumeOptions;
import io.signalman.config.ServerConfig;
import io.signalman.ice.TurnOptions;
import io.signalman.transport.TlsFiles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds {@link ServerConfig}s for tests: the defaults, on 127.0.0.1 and ephemeral ports, with changes. */
public final class TestConfigs {
    private TestConfigs() {}

    public static Builder builder() {
        return new Builder(ServerConfig.defaults());
    }

    /** Mutable copy of a configuration's fields. */
    public static final class Builder {
        private final ServerConfig base;
        private int roomCapacity;
        private int messageBytes;
        private int hardFrameBytes;
        private int maxMetaBytes;
        private long heartbeatMs;
        private long idleTimeoutMs;
        private boolean openAddressing;
        private TlsFiles tls;
        private List<IceServer> iceServers;
        private final List<ListenerSpec> listeners = new ArrayList<>();
        private final Map<String, String> environment = new HashMap<>();
        private boolean broadcastByCode;
        private long starRefreshMs = 10_000;
        private int workspacesCapacity = 4;
        private String workspacesStorageFile;
        private String twilioBaseUrl = "https://api.twilio.com";
        private PeerjsOptions peerjs;
        private ClusterOptions cluster;
        private AuthOptions auth;
        private OpsOptions ops;
        private AbuseLimits abuse;
        private ResumeOptions resume;
        private TurnOptions turn;

        Builder(ServerConfig base) {
            this.base = base;
            roomCapacity = base.roomCapacity();
            messageBytes = base.messageBytes();
            hardFrameBytes = base.hardFrameBytes();
            maxMetaBytes = base.maxMetaBytes();
            heartbeatMs = base.heartbeatMs();
            idleTimeoutMs = base.idleTimeoutMs();
            openAddressing = base.openAddressing();
            tls = base.tls();
            iceServers = base.iceServers();
            peerjs = base.peerjs();
            auth = base.auth();
            ops = base.ops();
            abuse = base.abuse();
            resume = base.resume();
            turn = base.turn();
        }

        public Builder roomCapacity(int value) { roomCapacity = value; return this; }
        public Builder messageBytes(int value) { messageBytes = value; return this; }
        public Builder hardFrameBytes(int value) { hardFrameBytes = value; return this; }
        public Builder maxMetaBytes(int value) { maxMetaBytes = value; return this; }
        public Builder heartbeatMs(long value) { heartbeatMs = value; return this; }
        public Builder idleTimeoutMs(long value) { idleTimeoutMs = value; return this; }
        public Builder openAddressing(boolean value) { openAddressing = value; return this; }
        public Builder tls(TlsFiles value) { tls = value; return this; }
        public Builder iceServers(List<IceServer> value) { iceServers = value; return this; }
        public Builder broadcastByCode(boolean value) { broadcastByCode = value; return this; }
        public Builder starRefreshMs(long value) { starRefreshMs = value; return this; }
        public Builder workspacesCapacity(int value) { workspacesCapacity = value; return this; }
        public Builder workspacesStorageFile(String value) { workspacesStorageFile = value; return this; }
        public Builder twilioBaseUrl(String value) { twilioBaseUrl = value; return this; }
        public Builder peerjs(PeerjsOptions value) { peerjs = value; return this; }
        public Builder cluster(ClusterOptions value) { cluster = value; return this; }
        public Builder auth(AuthOptions value) { auth = value; return this; }
        public Builder ops(OpsOptions value) { ops = value; return this; }
        public Builder abuse(AbuseLimits value) { abuse = value; return this; }
        public Builder resume(ResumeOptions value) { resume = value; return this; }
        public Builder turn(TurnOptions value) { turn = value; return this; }
        /** A variable of an original system, as if it came from the environment or .env. */
        public Builder originalEnv(String key, String value) { environment.put(key, value); return this; }

        /** Adds a listener for {@code dialect} on 127.0.0.1 at an ephemeral port, unless a spec is given. */
        public Builder listen(String spec) {
            listeners.add(ListenerSpec.parse(spec, "127.0.0.1"));
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(base.host(), base.port(), tls, List.copyOf(listeners), iceServers, roomCapacity,
                    maxMetaBytes, base.maxRoomsPerPeer(), messageBytes, hardFrameBytes, base.maxJsonDepth(),
                    heartbeatMs, idleTimeoutMs, openAddressing, base.workerThreads(), base.shutdownGraceMs(),
                    broadcastByCode, starRefreshMs, true, workspacesCapacity, workspacesStorageFile, twilioBaseUrl,
                    Map.copyOf(environment), peerjs, cluster, auth, ops, abuse, resume, turn);
        }
    }
}
