package io.signalman.dialect;

import io.signalman.dialect.nativeproto.NativeDialect;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The catalogue of dialects by name; later issues register theirs here. */
public final class Dialects {
    private static final Map<String, Function<DialectContext, Dialect>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put(NativeDialect.NAME, NativeDialect::new);
    }

    private Dialects() {}

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
