package io.signalman.dialect;

import io.signalman.dialect.broadcast.BroadcastDialect;
import io.signalman.dialect.direct.DirectDialect;
import io.signalman.dialect.nativeproto.NativeDialect;
import io.signalman.dialect.pair.PairDialect;
import io.signalman.dialect.star.StarDialect;
import io.signalman.dialect.workspaces.WorkspacesDialect;
import io.signalman.dialect.peerjs.PeerjsDialect;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The catalogue of dialects by name; later issues register theirs here. */
public final class Dialects {
    private static final Map<String, Function<DialectContext, Dialect>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put(NativeDialect.NAME, NativeDialect::new);
        FACTORIES.put(PairDialect.NAME, PairDialect::new);
        FACTORIES.put(BroadcastDialect.NAME, BroadcastDialect::new);
        FACTORIES.put(DirectDialect.NAME, DirectDialect::new);
        FACTORIES.put(StarDialect.NAME, StarDialect::new);
        FACTORIES.put(WorkspacesDialect.NAME, WorkspacesDialect::new);
        FACTORIES.put(PeerjsDialect.NAME, PeerjsDialect::new);
    }

    private Dialects() {}

    /** Environment variables that original systems read and that some dialect honours. */
    public static List<String> originalEnvironmentKeys() {
        return List.of("SIGNALING_SERVER_ADDR", "SIGNALING_SERVER_PORT", "DISABLE_METRICS", "PORT", "ENABLE_HTTPS",
                "MAGICK_TOKEN", "SALT_STRING", "DEVELOPMENT", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN");
    }

    public static Set<String> names() {
        return FACTORIES.keySet();
    }

    public static boolean exists(String name) {
        return FACTORIES.containsKey(name);
    }

    /** Builds every dialect once, in catalogue order. */
    public static Map<String, Dialect> createAll(DialectContext context) {
        Map<String, Dialect> dialects = new LinkedHashMap<>();
        FACTORIES.forEach((name, factory) -> dialects.put(name, factory.apply(context)));
        return dialects;
    }
}
