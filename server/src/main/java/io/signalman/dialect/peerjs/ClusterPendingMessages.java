package io.signalman.dialect.peerjs;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.signalman.cluster.redis.FailFastRedis;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.signalman.cluster.redis.ClusterOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PendingMessages} for nodes that share a Redis ({@code --cluster}): a message for an id that
 * has not connected waits in Redis, so that it reaches the id on whichever node it connects to, and
 * its sender hears {@code EXPIRE} wherever it is connected when the id does not come in time.
 *
 * <p>Keys, under the cluster prefix {@code P}, by the destination as JSON text ({@code dst}):
 * <ul>
 * <li>{@code P pjq:<dst>}, a list of the waiting messages, oldest first. Each entry is the relay as the
 *     cluster engine carries it between nodes ({@code P} message of docs/cluster.md), so a script can
 *     publish it to the destination's node unchanged, and it names the sender for {@code EXPIRE}.
 * <li>{@code P pjd}, a sorted set of destinations by the time their messages expire (the first
 *     message's arrival plus the expire timeout, Redis's clock).
 * <li>{@code P pjb}, the bytes waiting in all, for the byte bound.
 * <li>{@code P pjr:<dst>}, the node that holds the id, set when the id takes its messages and removed
 *     when it leaves that node.
 * </ul>
 *
 * <p>Why no message is lost or doubled, and each sender's order holds:
 * <ul>
 * <li>Registering takes the list and sets {@code pjr:} in one script; an offer checks {@code pjr:}
 *     and queues in one script. An offer that runs before the take is in the list taken; one that
 *     runs after it is published to the holder's node channel, where the engine delivers it to the
 *     id. A holder that no longer listens (a dead node) makes the offer queue instead.
 * <li>The registering session holds back what reaches it between its registration and the take's
 *     answer, and writes the taken messages first, as one node does.
 * <li>A node sends nothing straight to a destination while one of its offers for that destination
 *     is unanswered ({@link #busy}): later messages follow through the same connection instead, so
 *     they cannot overtake an offer on the engine's connection.
 * <li>Expiry takes a list in one script (whichever node runs it first): its messages go either to
 *     the id or back to their senders, never both. The node that queued first wakes at the deadline,
 *     and every node looks once a second, for lists whose node died.
 * </ul>
 *
 * <p>Nothing here blocks: commands are asynchronous on a connection of its own (not the engine's);
 * their answers arrive on Lettuce's threads. A command Redis does not take (unreachable, timed out)
 * counts as refused: the sender hears {@code EXPIRE} at once.
 */
final class ClusterPendingMessages implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterPendingMessages.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** Most destinations one expiry pass takes; the next pass takes the rest. */
    private static final int SWEEP_BATCH = 64;
    /** How long after its deadline Redis drops a list nobody expired (every node gone), so nothing leaks. */
    private static final long ORPHAN_GRACE_MS = 60_000;

    /**
     * KEYS: pjq:dst, pjr:dst, pjd, pjb. ARGV: entry, dst, node channel prefix, per-id limit, byte
     * limit, max age, cost, key lifetime. Returns {1} published to the holder, {2} refused, or
     * {0, ms until expiry, 1 if this offer started the list}.
     */
    private static final String OFFER = """
            local holder = redis.call('GET', KEYS[2])
            if holder then
              if redis.call('PUBLISH', ARGV[3] .. holder, ARGV[1]) > 0 then return {1} end
              redis.call('DEL', KEYS[2])
            end
            local waiting = redis.call('LLEN', KEYS[1])
            local cost = tonumber(ARGV[7])
            local used = tonumber(redis.call('GET', KEYS[4]) or '0')
            if waiting >= tonumber(ARGV[4]) or used + cost > tonumber(ARGV[5]) then return {2} end
            redis.call('RPUSH', KEYS[1], ARGV[1])
            redis.call('INCRBY', KEYS[4], cost)
            redis.call('PEXPIRE', KEYS[4], ARGV[8])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            if waiting == 0 then
              redis.call('ZADD', KEYS[3], string.format('%.0f', now + tonumber(ARGV[6])), ARGV[2])
              redis.call('PEXPIRE', KEYS[1], ARGV[8])
              return {0, tonumber(ARGV[6]), 1}
            end
            local deadline = tonumber(redis.call('ZSCORE', KEYS[3], ARGV[2]) or now)
            return {0, math.max(0, deadline - now), 0}
            """;

    /** KEYS: pjq:dst, pjr:dst, pjd, pjb. ARGV: node, dst, overhead per entry. Returns the entries. */
    private static final String TAKE = """
            redis.call('SET', KEYS[2], ARGV[1])
            local entries = redis.call('LRANGE', KEYS[1], 0, -1)
            if #entries > 0 then
              redis.call('DEL', KEYS[1])
              redis.call('ZREM', KEYS[3], ARGV[2])
              local bytes = 0
              for _, entry in ipairs(entries) do bytes = bytes + #entry + tonumber(ARGV[3]) end
              if redis.call('DECRBY', KEYS[4], bytes) <= 0 then redis.call('DEL', KEYS[4]) end
            end
            return entries
            """;

    /** KEYS: pjr:dst. ARGV: node. Forgets the holder if it is still this node. */
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
            return 0
            """;

    /**
     * KEYS: pjd, pjb. ARGV: prefix of the lists' keys, batch size, overhead per entry. Takes every
     * list whose deadline has passed: {dst, {entries}, dst, {entries}, ...}.
     */
    private static final String EXPIRE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now),
                'LIMIT', 0, tonumber(ARGV[2]))
            local out = {}
            local bytes = 0
            for _, dst in ipairs(due) do
              redis.call('ZREM', KEYS[1], dst)
              local key = ARGV[1] .. dst
              local entries = redis.call('LRANGE', key, 0, -1)
              redis.call('DEL', key)
              for _, entry in ipairs(entries) do bytes = bytes + #entry + tonumber(ARGV[3]) end
              out[#out + 1] = dst
              out[#out + 1] = entries
            end
            if bytes > 0 and redis.call('DECRBY', KEYS[2], bytes) <= 0 then redis.call('DEL', KEYS[2]) end
            return out
            """;

    /** What became of an offered message, as far as the sender's node can tell. */
    enum Outcome { PUBLISHED, QUEUED, REFUSED, UNAVAILABLE }

    private final RedisClient client;
    private final RedisURI uri;
    private final String node;
    private final String prefix;
    private final byte[] expiryKey;
    private final byte[] bytesKey;
    private final byte[] channelPrefix;
    private final int perIdLimit;
    private final long byteLimit;
    private final long maxAgeMillis;
    private final ExpiryListener onExpired;
    private final ScheduledExecutorService timers;
    private final AtomicReference<CompletableFuture<StatefulRedisConnection<byte[], byte[]>>> connection =
            new AtomicReference<>();
    /** Offers of this node still unanswered, by destination. */
    private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledFuture<?> sweeper;
    private volatile boolean closed;

    /** Told once per sender and destination when messages expire. */
    @FunctionalInterface
    interface ExpiryListener {
        void expired(String sender, String dstJson);
    }

    ClusterPendingMessages(ClusterOptions cluster, int perIdLimit, long byteLimit, long maxAgeMillis,
            ScheduledExecutorService timers, ExpiryListener onExpired) {
        // Its own connection: an offer must not wait behind a dead one (it fails, and its sender hears EXPIRE).
        this.uri = FailFastRedis.uri(cluster, TIMEOUT);
        this.client = FailFastRedis.client(uri, TIMEOUT);
        this.node = cluster.nodeId();
        this.prefix = cluster.prefix();
        this.expiryKey = utf8(prefix + "pjd");
        this.bytesKey = utf8(prefix + "pjb");
        this.channelPrefix = utf8(prefix + "node:");
        this.perIdLimit = perIdLimit;
        this.byteLimit = byteLimit;
        this.maxAgeMillis = maxAgeMillis;
        this.timers = timers;
        this.onExpired = onExpired;
        connect();
        long every = Math.max(50, Math.min(1_000, maxAgeMillis));
        this.sweeper = timers.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    /** Whether the connection to Redis is up (made asynchronously after start). */
    boolean connected() {
        return commands() != null;
    }

    /** Whether any offer of this node is unanswered (cheap: spares the relay path the destination's JSON). */
    boolean anyBusy() {
        return !inFlight.isEmpty();
    }

    /** Whether an offer of this node for {@code dstJson} is unanswered: later messages must queue behind it. */
    boolean busy(String dstJson) {
        return inFlight.containsKey(dstJson);
    }

    /**
     * Queues a message for a destination that is not connected as far as this node knows, or hands
     * it to the destination's node if the id registered meanwhile. Call from the sender's event loop,
     * in the order its messages came; {@code done} runs on a Redis thread.
     *
     * @param dstId the destination id if {@code dst} is a string (only such can connect), else null
     */
    void offer(String src, String dstId, String dstJson, byte[] frame, Consumer<Outcome> done) {
        RedisAsyncCommands<byte[], byte[]> redis = commands();
        if (redis == null) {
            done.accept(Outcome.UNAVAILABLE);
            return;
        }
        byte[] entry = entry(dstId == null ? dstJson : dstId, src, frame);
        long cost = entry.length + (long) PendingMessages.OVERHEAD_BYTES;
        inFlight.merge(dstJson, 1, Integer::sum);
        byte[][] keys = {queueKey(dstJson), holderKey(dstJson), expiryKey, bytesKey};
        redis.<List<Object>>eval(OFFER, ScriptOutputType.MULTI, keys, entry, utf8(dstJson), channelPrefix,
                        ascii(perIdLimit), ascii(byteLimit), ascii(maxAgeMillis), ascii(cost), ascii(lifetime()))
                .whenComplete((reply, failure) -> {
                    inFlight.computeIfPresent(dstJson, (key, count) -> count == 1 ? null : count - 1);
                    if (failure != null) {
                        log.debug("peerjs: could not queue a message for {}: {}", dstJson, failure.toString());
                        done.accept(Outcome.UNAVAILABLE);
                        return;
                    }
                    long code = (Long) reply.get(0);
                    if (code == 1) {
                        done.accept(Outcome.PUBLISHED);
                    } else if (code == 2) {
                        done.accept(Outcome.REFUSED);
                    } else {
                        if ((Long) reply.get(2) == 1) {
                            // Punctual expiry; the periodic pass covers this node's death.
                            timers.schedule(this::sweep, (Long) reply.get(1) + 1, TimeUnit.MILLISECONDS);
                        }
                        done.accept(Outcome.QUEUED);
                    }
                });
    }

    /**
     * Marks this node as the holder of an id and takes the messages that waited for it. Call after
     * the id is registered in the core, with the session holding back its events until
     * {@code taken} has run; {@code taken} gets the frames oldest first (none if Redis failed) on a
     * Redis thread.
     */
    void take(String quotedId, Consumer<List<byte[]>> taken) {
        RedisAsyncCommands<byte[], byte[]> redis = commands();
        if (redis == null) {
            taken.accept(List.of());
            return;
        }
        byte[][] keys = {queueKey(quotedId), holderKey(quotedId), expiryKey, bytesKey};
        redis.<List<Object>>eval(TAKE, ScriptOutputType.MULTI, keys, utf8(node), utf8(quotedId),
                        ascii(PendingMessages.OVERHEAD_BYTES))
                .whenComplete((reply, failure) -> {
                    if (failure != null) {
                        // The messages stay in Redis and expire: their senders hear EXPIRE.
                        log.warn("peerjs: could not take the messages waiting for {}: {}", quotedId, failure.toString());
                        taken.accept(List.of());
                        return;
                    }
                    List<byte[]> frames = new ArrayList<>(reply.size());
                    for (Object entry : reply) frames.add(Entry.parse((byte[]) entry).frame);
                    taken.accept(frames);
                });
    }

    /** The id left this node: messages for it wait again (unless another node holds it by now). */
    void release(String quotedId) {
        RedisAsyncCommands<byte[], byte[]> redis = commands();
        if (redis == null) return;
        redis.eval(RELEASE, ScriptOutputType.INTEGER, new byte[][] {holderKey(quotedId)}, utf8(node))
                .exceptionally(failure -> {
                    log.debug("peerjs: could not release {}: {}", quotedId, failure.toString());
                    return null;
                });
    }

    /** Takes the lists whose time has passed and tells their senders, wherever they are connected. */
    void sweep() {
        if (closed) return;
        RedisAsyncCommands<byte[], byte[]> redis = commands();
        if (redis == null) return;
        redis.<List<Object>>eval(EXPIRE, ScriptOutputType.MULTI, new byte[][] {expiryKey, bytesKey},
                        utf8(prefix + "pjq:"), ascii(SWEEP_BATCH), ascii(PendingMessages.OVERHEAD_BYTES))
                .whenComplete((reply, failure) -> {
                    if (failure != null) {
                        log.debug("peerjs: expiry pass failed: {}", failure.toString());
                        return;
                    }
                    for (int i = 0; i + 1 < reply.size(); i += 2) {
                        String dstJson = new String((byte[]) reply.get(i), StandardCharsets.UTF_8);
                        Set<String> told = new HashSet<>();
                        @SuppressWarnings("unchecked")
                        List<Object> entries = (List<Object>) reply.get(i + 1);
                        for (Object raw : entries) {
                            String sender = Entry.parse((byte[]) raw).src;
                            if (told.add(sender)) onExpired.expired(sender, dstJson);
                        }
                    }
                    if (reply.size() / 2 >= SWEEP_BATCH) timers.execute(this::sweep);
                });
    }

    @Override
    public void close() {
        closed = true;
        sweeper.cancel(false);
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> open = connection.get();
        if (open != null && open.isDone() && !open.isCompletedExceptionally()) open.join().close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    /**
     * The connection's commands, or null while it is not up. Commands are never chained behind a
     * connection being made: callbacks of a pending future may run in any order, and the order of
     * one sender's commands is what this class keeps.
     */
    private RedisAsyncCommands<byte[], byte[]> commands() {
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> current = connection.get();
        if (current != null && current.isDone()) {
            if (!current.isCompletedExceptionally()) return current.join().async();
            if (!closed) connect(); // the first connection failed; Lettuce reconnects only a connection it made
        }
        return null;
    }

    private void connect() {
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> current = connection.get();
        if (current != null && !current.isDone()) return;
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> next = new CompletableFuture<>();
        if (!connection.compareAndSet(current, next)) return;
        client.connectAsync(ByteArrayCodec.INSTANCE, uri)
                .whenComplete((open, failure) -> {
                    if (failure != null) {
                        log.debug("peerjs: Redis not reachable yet: {}", failure.toString());
                        next.completeExceptionally(failure);
                    } else {
                        next.complete(open);
                    }
                });
    }

    private long lifetime() {
        return maxAgeMillis + ORPHAN_GRACE_MS;
    }

    private byte[] queueKey(String dstJson) {
        return utf8(prefix + "pjq:" + dstJson);
    }

    private byte[] holderKey(String dstJson) {
        return utf8(prefix + "pjr:" + dstJson);
    }

    /**
     * A relay as the cluster engine carries it to a node: fields {@code P}, realm, id, {@code r},
     * sender, no room, then the frame as the raw tail (docs/cluster.md, "Wire encoding").
     */
    static byte[] entry(String dstId, String src, byte[] frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(frame.length + 64);
        for (String field : new String[] {"P", PeerjsDialect.REALM, dstId, "r", src, ""}) {
            byte[] bytes = utf8(field);
            out.writeBytes(ascii(bytes.length));
            out.write(':');
            out.writeBytes(bytes);
        }
        out.writeBytes(frame);
        return out.toByteArray();
    }

    /** An entry read back: its sender and its frame. */
    record Entry(String src, byte[] frame) {
        static Entry parse(byte[] entry) {
            int[] position = {0};
            String[] fields = new String[6];
            for (int i = 0; i < fields.length; i++) fields[i] = field(entry, position);
            return new Entry(fields[4], Arrays.copyOfRange(entry, position[0], entry.length));
        }

        private static String field(byte[] entry, int[] position) {
            int i = position[0];
            int size = 0;
            while (entry[i] != ':') size = size * 10 + (entry[i++] - '0');
            String text = new String(entry, i + 1, size, StandardCharsets.UTF_8);
            position[0] = i + 1 + size;
            return text;
        }
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
