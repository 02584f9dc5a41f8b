package io.signalman.dialect.peerjs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Messages for PeerJS ids that have not connected yet. The PeerJS server keeps a message whose
 * destination is unknown, hands it over when that id connects, and after {@code expire_timeout}
 * answers each sender with {@code EXPIRE} instead; its clients rely on that (a caller sends its
 * offer as soon as it knows an id, whether or not the callee's socket is up yet).
 *
 * <p>Why this lives in the dialect and not in the core: the core is a router that only delivers to
 * peers that are connected now, and no other protocol wants store-and-forward. What to keep, for how
 * long and what to tell the sender when it expires are PeerJS's rules; in the core they would make
 * every engine (the Redis one included) store messages for ids that may never appear. The queue holds
 * no sockets: delivery still goes through the switchboard, by id. This one serves a single node;
 * with {@code --cluster} the dialect uses {@link ClusterPendingMessages}, which keeps the messages in
 * Redis so that the id may connect to any node.
 *
 * <p>Unlike the original it is bounded: at most {@code perIdLimit} messages per destination and
 * {@code byteLimit} bytes in all; a message beyond either is refused (the sender hears
 * {@code EXPIRE} at once). Each destination's messages expire together, {@code maxAgeMillis} after
 * the first of them arrived, as the original's do.
 *
 * <p>Thread-safe. An offer tries delivery again and queues under the destination's lock (inside
 * {@link ConcurrentHashMap#compute}); the destination registers its id and then takes its queue. An
 * offer that locks before the take is in the queue taken, one that locks after it finds the id
 * registered and delivers: no message is left behind. The session takes and writes the queue on its
 * own event loop while it opens, so relays that other threads hand it meanwhile come after them.
 */
final class PendingMessages {
    /** Rough bookkeeping cost of one queued message beyond its bytes. */
    static final int OVERHEAD_BYTES = 128;

    /**
     * A message held for {@code dstJson} (the destination as JSON text, the queue's key).
     *
     * @param src       the sender's id, to which {@code EXPIRE} goes back
     * @param quotedSrc the sender's id as a JSON string
     * @param dst       the destination as the sender wrote it (any truthy JSON value)
     * @param frame     the frame as it will be delivered
     */
    record Message(String src, String quotedSrc, JsonNode dst, String dstJson, byte[] frame) {
        long cost() {
            return (long) frame.length + OVERHEAD_BYTES;
        }
    }

    /** What became of an offered message. */
    enum Offer { DELIVERED, QUEUED, REFUSED }

    /** Runs a task later, off the caller's stack (a Netty event loop in the server). */
    @FunctionalInterface
    interface Scheduler {
        void schedule(Runnable task, long delayMillis);
    }

    private static final class Queue {
        final List<Message> messages = new ArrayList<>(4);
        long bytes;
    }

    private final ConcurrentHashMap<String, Queue> queues = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final int perIdLimit;
    private final long byteLimit;
    private final long maxAgeMillis;
    private final Consumer<List<Message>> onExpired;

    /** @param onExpired receives each destination's messages when they expire, in arrival order */
    PendingMessages(int perIdLimit, long byteLimit, long maxAgeMillis, Consumer<List<Message>> onExpired) {
        this.perIdLimit = perIdLimit;
        this.byteLimit = byteLimit;
        this.maxAgeMillis = maxAgeMillis;
        this.onExpired = onExpired;
    }

    /**
     * Delivers a message with {@code deliverNow} if its destination has connected meanwhile, else
     * queues it if the bounds allow. {@code deliverNow} runs while the destination's queue is locked.
     */
    Offer offer(Message message, BooleanSupplier deliverNow, Scheduler scheduler) {
        Offer[] result = new Offer[1];
        Queue[] created = new Queue[1];
        queues.compute(message.dstJson(), (key, queue) -> {
            if (deliverNow.getAsBoolean()) {
                result[0] = Offer.DELIVERED;
                return queue;
            }
            int waiting = queue == null ? 0 : queue.messages.size();
            if (waiting >= perIdLimit || !reserve(message.cost())) {
                result[0] = Offer.REFUSED;
                return queue;
            }
            if (queue == null) {
                queue = new Queue();
                created[0] = queue;
            }
            queue.messages.add(message);
            queue.bytes += message.cost();
            result[0] = Offer.QUEUED;
            return queue;
        });
        if (created[0] != null) {
            Queue queue = created[0];
            scheduler.schedule(() -> expire(message.dstJson(), queue), maxAgeMillis);
        }
        return result[0];
    }

    /**
     * Takes the messages that waited for an id. Call it after the id is registered: an offer that
     * comes later delivers instead of queueing, since it tries delivery again under the queue's lock.
     *
     * @param quotedId the id as a JSON string (the key its messages were queued under)
     * @return the messages, oldest first (maybe none)
     */
    List<Message> take(String quotedId) {
        Queue queue = queues.remove(quotedId);
        if (queue == null) return List.of();
        bytes.addAndGet(-queue.bytes);
        return queue.messages;
    }

    /** Messages waiting now, for tests and metrics. */
    int size() {
        return queues.values().stream().mapToInt(q -> q.messages.size()).sum();
    }

    /** Bytes reserved now (message bytes plus bookkeeping). */
    long bytes() {
        return bytes.get();
    }

    private void expire(String key, Queue queue) {
        if (!queues.remove(key, queue)) return; // delivered to its id meanwhile, or already expired
        bytes.addAndGet(-queue.bytes);
        onExpired.accept(queue.messages);
    }

    private boolean reserve(long cost) {
        while (true) {
            long used = bytes.get();
            if (used + cost > byteLimit) return false;
            if (bytes.compareAndSet(used, used + cost)) return true;
        }
    }
}
