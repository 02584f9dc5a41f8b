package io.signalman.dialect.workspaces;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.signalman.cluster.redis.FailFastRedis;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.signalman.cluster.redis.ClusterOptions;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The workspaces of a cluster, in the Redis the nodes share ({@code --cluster}), so that a
 * workspace made on one node is found on every other and outlives a restart of them all.
 *
 * <p>Each workspace is one string, {@code <prefix>workspace:<id>}, holding the JSON of one entry of
 * the original's storage file, without expiry (the original kept workspaces until {@code destroy}).
 * A whole tree per key, written by Jackson, keeps every field a client stored and the order of the
 * attendees, which the original's payloads list in insertion order.
 *
 * <p>{@link #update} is an optimistic read-modify-write: read the JSON, apply the change in Java,
 * then write with a Lua script that replaces the value only if it still holds the bytes that were
 * read. Redis runs a script atomically, so of two nodes that change one workspace at once (two
 * attends for the last seat) one writes and the other reads again and decides again on what the
 * first one wrote. This keeps the protocol's checks in one place, {@link WorkspacesEvents}, for both
 * stores; a script in place of WATCH/MULTI because WATCH belongs to a connection, and this store
 * shares one connection among the dialect's worker threads.
 *
 * <p>The store has a connection of its own (not the engine's), made on first use and re-made by
 * Lettuce after a drop. Each command blocks its worker thread for at most {@link #TIMEOUT}; while
 * Redis is unreachable commands fail at once with {@link WorkspaceStore.Unavailable}.
 */
final class RedisWorkspaceStore implements WorkspaceStore {
    /** Bounds each call; a worker waits at most this long for a slow or lost Redis. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** Lost races in a row before giving up; each loss means another change to this workspace landed. */
    private static final int MAX_ATTEMPTS = 100;

    /** Writes ARGV[2] if KEYS[1] still holds ARGV[1]: 1 if written, 0 if the value had changed. */
    private static final String COMPARE_AND_SET = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2])
              return 1
            end
            return 0
            """;

    private final ObjectMapper json = new ObjectMapper();
    private final RedisClient client;
    private final String prefix;
    private volatile StatefulRedisConnection<String, String> connection;

    RedisWorkspaceStore(ClusterOptions options) {
        // A worker must not wait behind a dead connection: commands fail at once while Redis is away.
        this.client = FailFastRedis.client(options, TIMEOUT);
        this.prefix = options.prefix() + "workspace:";
    }

    @Override
    public ObjectNode get(String id) {
        RedisCommands<String, String> redis = redis();
        return parse(id, call(() -> redis.get(key(id))));
    }

    @Override
    public boolean create(String id, ObjectNode workspace) {
        RedisCommands<String, String> redis = redis();
        String stored = write(workspace);
        return "OK".equals(call(() -> redis.set(key(id), stored, SetArgs.Builder.nx())));
    }

    @Override
    public void remove(String id) {
        RedisCommands<String, String> redis = redis();
        call(() -> redis.del(key(id)));
    }

    @Override
    public <R> R update(String id, Change<R> change) {
        String key = key(id);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            RedisCommands<String, String> redis = redis();
            String stored = call(() -> redis.get(key));
            ObjectNode read = parse(id, stored);
            ObjectNode copy = read == null ? null : read.deepCopy();
            R result = change.apply(copy);
            if (copy == null || copy.equals(read)) return result;
            Long written = call(() -> redis.eval(COMPARE_AND_SET, ScriptOutputType.INTEGER, new String[] {key},
                    stored, write(copy)));
            if (written != null && written == 1L) return result;
        }
        throw new Unavailable("workspace " + id + " changed " + MAX_ATTEMPTS + " times while one change was applied", null);
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> open = connection;
        if (open != null) open.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private String key(String id) {
        return prefix + id;
    }

    /** The shared connection's commands, connecting on first use. */
    private RedisCommands<String, String> redis() {
        StatefulRedisConnection<String, String> open = connection;
        if (open == null) {
            synchronized (this) {
                if (connection == null) connection = call(client::connect);
                open = connection;
            }
        }
        return open.sync();
    }

    private ObjectNode parse(String id, String stored) {
        if (stored == null) return null;
        try {
            JsonNode tree = json.readTree(stored);
            if (tree instanceof ObjectNode object) return object;
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new Unavailable("workspace " + id + " in Redis is not a JSON object", null);
    }

    private String write(ObjectNode workspace) {
        try {
            return json.writeValueAsString(workspace);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree Jackson built always serializes
        }
    }

    /** Runs one command; Lettuce's failures (refused, timed out, connection lost) become {@link Unavailable}. */
    private static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (RedisException e) {
            throw new Unavailable("Redis: " + e.getMessage(), e);
        }
    }
}
