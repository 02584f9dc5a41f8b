package io.signalman.cluster.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.signalman.core.Engine;
import io.signalman.core.Event;
import io.signalman.core.Evictor;
import io.signalman.core.JoinOutcome;
import io.signalman.core.LeaveReason;
import io.signalman.core.Member;
import io.signalman.core.Outlet;
import io.signalman.core.Peer;
import io.signalman.core.RoomPolicy;
import io.signalman.core.SessionAdoption;
import io.signalman.core.SessionSource;
import io.signalman.core.engine.RoomMembers;
import io.signalman.core.engine.RoomMembers.Slot;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine whose peers and rooms span every node that shares one Redis.
 *
 * <p>The {@link Engine} contract is called from Netty event loops, so no method here waits for
 * Redis. Each node answers from memory: its own peers (exact), and a replica of the other nodes'
 * directory entries and room memberships, fed by the events that the Lua scripts publish (and
 * loaded whole from Redis at start and after every outage). Changes the node makes itself are
 * applied to the replica at once and written to Redis asynchronously, on one connection, in call
 * order; the one exception is {@link #joinAsync}, which lets Redis decide whether the room has a
 * place and applies the join when Redis has answered. Messages for a peer on another node go to
 * that node's channel ({@code PUBLISH <prefix>node:<id>}); since one node publishes on one
 * connection in order, and Redis and the receiving subscription keep that order, delivery between
 * any two peers keeps the order it was sent in. Redis is the source of truth: a node's heartbeat key
 * expires when it dies, and a surviving node removes the dead node's peers from their rooms
 * (announcing their departure).
 * See docs/cluster.md for the guarantees and their limits.
 */
public final class RedisEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(RedisEngine.class);
    private static final byte[][] NO_KEYS = new byte[0][];
    /** Each script's digest, for EVALSHA; keyed by the script constant itself. */
    private static final Map<String, String> DIGESTS = digests();
    private static final long COMMAND_TIMEOUT_MS = 2_000;
    /** The pseudo-node that owns peers whose session waits for its client (see Scripts). */
    static final String HELD = "~held";
    /** How long a node asks another to hand a session over before it gives up. */
    private static final long HAND_OVER_WAIT_MS = 5_000;
    private static final long HAND_OVER_RETRY_MS = 50;
    /** Most events held while a snapshot loads; beyond it the load starts over rather than grow memory. */
    private static final int MAX_BUFFERED_EVENTS = 100_000;

    private final ClusterOptions options;
    private final String node;
    private final byte[] eventsChannel;
    private final ConcurrentMap<String, Realm> realms = new ConcurrentHashMap<>();
    /** Channel names of other nodes, encoded once (the relay path publishes to them). */
    private final ConcurrentMap<String, byte[]> nodeChannels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final RedisClient client;
    private volatile StatefulRedisConnection<byte[], byte[]> commands;
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> subscription;
    private volatile Evictor evictor = (peer, room, reason) -> {};
    /** Realms whose sessions can move between nodes, with their keeper. */
    private final ConcurrentMap<String, SessionSource> movable = new ConcurrentHashMap<>();
    private volatile long sessionWindowMs;
    private volatile int sessionHoldLimit = 1;
    /** Peers this node handed over whose frames may still be in flight to it, by realm and id: their rooms. */
    private final ConcurrentMap<String, HandedOver> handedOver = new ConcurrentHashMap<>();

    /** A peer this node gave up: the rooms it was in, and where frames that still reach it go. */
    private record HandedOver(Set<String> rooms, Pending late) {}

    /** True while Redis answers and this node's state there and its replica are in step. */
    private volatile boolean ready;
    /** Cleared when a write fails: the next successful tick rewrites this node's state and reloads the replica. */
    private volatile boolean synced;
    private volatile boolean closed;
    /** Guards the switch between buffering events (while a snapshot loads) and applying them. */
    private final Object eventLock = new Object();
    private List<byte[]> buffered;
    private long snapshotVersion = -1;

    private final AtomicLong outages = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong reaped = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    /** Counts resyncs begun, so that a join answered across one can tell (see joinAsync). */
    private final AtomicLong resyncs = new AtomicLong();
    private volatile int nodes;
    private volatile long outageStartedMillis;
    private int connectFailures;
    /** Nodes the replica still holds peers of although Redis no longer lists them, and since when. */
    private final Map<String, Long> missingSince = new HashMap<>();

    public RedisEngine(ClusterOptions options) {
        this.options = options;
        this.node = options.nodeId();
        this.eventsChannel = Wire.utf8(options.prefix() + "events");
        RedisURI uri = RedisURI.create(options.redisUri());
        uri.setTimeout(Duration.ofMillis(COMMAND_TIMEOUT_MS));
        this.client = RedisClient.create(uri);
        // Commands must not pile up while Redis is away: they fail at once, and the node rewrites its
        // whole state when Redis is back. The queue bound caps what a slow Redis can make us hold.
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(options.queueLimit())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(COMMAND_TIMEOUT_MS)))
                .build());
        // A dropped connection may come back before any command notices (Lettuce reconnects on its
        // own), and Redis may have lost everything meanwhile: resynchronize on every drop.
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (!closed) markOutOfStep(null);
            }
        });
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "signalman-cluster");
            thread.setDaemon(true);
            return thread;
        });
        tick(); // at once, so that a node with Redis at hand starts ready
        scheduler.scheduleWithFixedDelay(this::tick, options.heartbeatMs(), options.heartbeatMs(), TimeUnit.MILLISECONDS);
    }

    /** This node's id in the cluster. */
    public String nodeId() {
        return node;
    }

    // ---- Engine: directory -------------------------------------------------------------------

    private Realm realm(String name) {
        Realm realm = realms.get(name);
        return realm != null ? realm : realms.computeIfAbsent(name, Realm::new);
    }

    @Override
    public Peer attach(Peer peer) {
        Realm realm = realm(peer.realm());
        Peer holder = realm.local.putIfAbsent(peer.id(), peer);
        if (holder != null) return holder;
        String remote = realm.remote.get(peer.id());
        if (remote != null) {
            realm.local.remove(peer.id(), peer);
            // The holder lives elsewhere; the switchboard may evict it through this stand-in.
            return new Peer(peer.realm(), peer.id(), new RemoteOutlet(remote, peer.realm(), peer.id()));
        }
        eval(Scripts.ATTACH, ScriptOutputType.VALUE, peer.realm(), peer.id()).thenAccept(previous -> {
            String was = previous == null ? "" : new String((byte[]) previous, StandardCharsets.UTF_8);
            // Another node took the same id at the same moment, before either heard of the other:
            // the later registration wins, as a newer connection does on one node.
            if (!was.isEmpty() && !was.equals(node) && realm.local.get(peer.id()) == peer) {
                sendEvict(was, peer.realm(), peer.id(), null, "replaced by a newer connection");
            }
        });
        return null;
    }

    @Override
    public boolean detach(Peer peer) {
        Realm realm = realm(peer.realm());
        if (peer.outlet() instanceof RemoteOutlet remote) {
            return realm.remote.remove(peer.id(), remote.node);
        }
        if (!realm.local.remove(peer.id(), peer)) return false;
        eval(Scripts.DETACH, ScriptOutputType.INTEGER, peer.realm(), peer.id());
        return true;
    }

    @Override
    public Peer find(String realm, String id) {
        return realm(realm).local.get(id);
    }

    @Override
    public boolean deliver(String realmName, String peerId, Event event) {
        Realm realm = realm(realmName);
        Peer peer = realm.local.get(peerId);
        if (peer != null) {
            peer.outlet().deliver(event);
            return true;
        }
        String remote = realm.remote.get(peerId);
        if (remote == null || !ready) return false;
        byte[] message = encodeEvent(new Wire.Writer(64).field("P").field(realmName).field(peerId), event);
        if (message == null) return false;
        if (movable.containsKey(realmName)) {
            deliverMovable(realmName, peerId, message);
        } else {
            publish(remote, message);
        }
        return true;
    }

    /**
     * A frame for a peer whose session may move: routed by Redis's directory at the moment it runs
     * (not by this node's replica, which may lag a move), and held if the peer has no connection.
     */
    private void deliverMovable(String realmName, String peerId, byte[] message) {
        published.incrementAndGet();
        eval(Scripts.DELIVER, ScriptOutputType.INTEGER, realmName, peerId, message,
                Long.toString(sessionWindowMs), Integer.toString(sessionHoldLimit));
    }

    @Override
    public boolean evictRemote(String realmName, String peerId, String room, String reason) {
        String remote = realm(realmName).remote.get(peerId);
        if (remote == null || !ready) return false;
        if (room != null) {
            // Out of this node's replica at once, so that a roster read right after (the pair dialect
            // announces the room that remains) no longer lists it; and out of Redis on the holder's
            // behalf, on this node's connection, so that every node hears of the departure before
            // anything this node does next (a join in its place). The holder's own leave then finds
            // nothing left to announce beyond its local members.
            removeSlot(realm(realmName), room, peerId, remote, LeaveReason.KICKED, false);
            evalAs(remote, Scripts.LEAVE, ScriptOutputType.INTEGER, realmName, room, peerId, LeaveReason.KICKED.wireName());
        }
        sendEvict(remote, realmName, peerId, room, reason);
        return true;
    }

    @Override
    public void bindEvictor(Evictor evictor) {
        this.evictor = evictor;
    }

    // ---- Engine: rooms -------------------------------------------------------------------------

    @Override
    public JoinOutcome join(Peer peer, String roomName, byte[] meta, RoomPolicy policy) {
        Realm realm = realm(peer.realm());
        Member member = new Member(peer.id(), meta);
        List<Member> roster;
        while (true) {
            RoomMembers room = realm.rooms.computeIfAbsent(roomName, n -> new RoomMembers(n, policy.capacity(), policy.announce()));
            synchronized (room) {
                if (room.isClosed()) continue;
                if (room.indexOf(peer.id()) >= 0) return new JoinOutcome.AlreadyIn();
                // Checked against this node's view of the room: see docs/cluster.md on capacity.
                if (room.size() >= room.capacity()) return new JoinOutcome.Full(room.capacity());
                room.add(new Slot(member, node, peer));
                roster = room.roster();
                if (room.announces()) room.publishLocal(new Event.PeerJoined(roomName, member, roster), peer.id());
            }
            break;
        }
        eval(Scripts.JOIN, ScriptOutputType.INTEGER, peer.realm(), roomName, peer.id(), member.meta(),
                policy.announce() ? "1" : "0", Integer.toString(policy.capacity()));
        return new JoinOutcome.Joined(roster);
    }

    /**
     * Decided in Redis, where the JOIN script counts the room's members on every node (held peers
     * included) in the same atomic step that records the membership: two nodes can no longer both
     * take the last place. Only once Redis has admitted the peer does it enter this node's replica
     * and its room's local members hear of it, so they never hear of a peer that Redis refused.
     */
    @Override
    public CompletionStage<JoinOutcome> joinAsync(Peer peer, String roomName, byte[] meta, RoomPolicy policy) {
        Realm realm = realm(peer.realm());
        RoomMembers known = realm.rooms.get(roomName);
        if (known != null && known.indexOf(peer.id()) >= 0) return CompletableFuture.completedFuture(new JoinOutcome.AlreadyIn());
        // While Redis is away every change is decided here and written back when it returns; so is this.
        if (!ready) return CompletableFuture.completedFuture(join(peer, roomName, meta, policy));
        int capacity = known != null ? known.capacity() : policy.capacity();
        boolean announce = known != null ? known.announces() : policy.announce();
        Member member = new Member(peer.id(), meta);
        long epoch = resyncs.get();
        return eval(Scripts.JOIN, ScriptOutputType.INTEGER, peer.realm(), roomName, peer.id(), member.meta(),
                announce ? "1" : "0", Integer.toString(capacity), "1").thenApply(reply -> {
                    // No answer: the write failed and the node is out of step; decide as during an outage.
                    if (reply == null) return join(peer, roomName, meta, policy);
                    if ((Long) reply < 0) return new JoinOutcome.Full(capacity);
                    if (peer.isConnected() && realm.local.get(peer.id()) != peer) {
                        // Handed over to another node meanwhile: the membership is not this node's to keep.
                        eval(Scripts.LEAVE, ScriptOutputType.INTEGER, peer.realm(), roomName, peer.id(),
                                LeaveReason.DISCONNECTED.wireName());
                        return new JoinOutcome.Full(capacity);
                    }
                    JoinOutcome outcome = admit(realm, roomName, member, peer, capacity, announce);
                    // A resync that began meanwhile wrote this node's members without this one, and
                    // may have removed it from Redis: write them again, now with it.
                    if (resyncs.get() != epoch) synced = false;
                    return outcome;
                });
    }

    /** Puts a peer that Redis admitted in this node's replica of the room and tells its local members. */
    private JoinOutcome admit(Realm realm, String roomName, Member member, Peer peer, int capacity, boolean announce) {
        while (true) {
            RoomMembers room = realm.rooms.computeIfAbsent(roomName, n -> new RoomMembers(n, capacity, announce));
            synchronized (room) {
                if (room.isClosed()) continue;
                if (room.indexOf(peer.id()) >= 0) return new JoinOutcome.AlreadyIn();
                room.add(new Slot(member, node, peer));
                List<Member> roster = room.roster();
                if (room.announces()) room.publishLocal(new Event.PeerJoined(roomName, member, roster), peer.id());
                return new JoinOutcome.Joined(roster);
            }
        }
    }

    @Override
    public List<Member> leave(Peer peer, String roomName, LeaveReason reason) {
        Realm realm = realm(peer.realm());
        RoomMembers room = realm.rooms.get(roomName);
        if (room == null) return null;
        List<Member> roster;
        synchronized (room) {
            int index = room.indexOf(peer.id());
            if (index < 0 || room.slots()[index].local() != peer) return null;
            Member member = room.slots()[index].member();
            room.remove(index);
            if (room.size() == 0) {
                room.close();
                realm.rooms.remove(roomName, room);
            }
            roster = room.roster();
            if (room.announces()) room.publishLocal(new Event.PeerLeft(roomName, member, reason, roster), null);
        }
        eval(Scripts.LEAVE, ScriptOutputType.INTEGER, peer.realm(), roomName, peer.id(), reason.wireName());
        return roster;
    }

    @Override
    public int publish(String realmName, String roomName, Event event, String exceptPeer) {
        RoomMembers room = realm(realmName).rooms.get(roomName);
        if (room == null) return 0;
        int count = 0;
        Set<String> others = null;
        boolean moves = movable.containsKey(realmName);
        for (Slot slot : room.slots()) {
            if (exceptPeer != null && exceptPeer.equals(slot.member().peer())) continue;
            count++;
            if (slot.local() != null) {
                slot.local().outlet().deliver(event);
            } else {
                if (others == null) others = new HashSet<>(4);
                others.add(slot.node());
            }
        }
        if (others != null && ready && moves) {
            publishMovable(realmName, room, event, exceptPeer, others);
        } else if (others != null && ready) {
            // One message per node that has members, not per member: that node fans it out.
            byte[] message = encodeEvent(new Wire.Writer(64).field("B").field(realmName).field(roomName)
                    .field(exceptPeer == null ? "" : "1" + exceptPeer), event);
            if (message != null) for (String other : others) publish(other, message);
        }
        return count;
    }

    /**
     * A room frame where sessions can move: one message per live node as usual, but if that node no
     * longer listens (dead, not yet reaped) its members' frames are held; members whose session
     * waits for its client get theirs held one by one.
     */
    private void publishMovable(String realmName, RoomMembers room, Event event, String exceptPeer, Set<String> nodes) {
        byte[] body = encodeEvent(new Wire.Writer(64), event);
        if (body == null) return;
        byte[] nodeMessage = concat(new Wire.Writer(64).field("B").field(realmName).field(room.name())
                .field(exceptPeer == null ? "" : "1" + exceptPeer).finish(), body);
        for (String other : nodes) {
            List<String> ids = new ArrayList<>();
            for (Slot slot : room.slots()) {
                if (slot.local() == null && slot.node().equals(other) && !slot.member().peer().equals(exceptPeer)) {
                    ids.add(slot.member().peer());
                }
            }
            if (other.equals(HELD)) {
                for (String id : ids) {
                    deliverMovable(realmName, id, concat(new Wire.Writer(64).field("P").field(realmName).field(id)
                            .finish(), body));
                }
                continue;
            }
            published.incrementAndGet();
            Object[] args = new Object[6 + ids.size()];
            args[0] = realmName;
            args[1] = other;
            args[2] = nodeMessage;
            args[3] = Long.toString(sessionWindowMs);
            args[4] = Integer.toString(sessionHoldLimit);
            args[5] = body;
            for (int i = 0; i < ids.size(); i++) args[6 + i] = ids.get(i);
            eval(Scripts.DELIVER_ROOM, ScriptOutputType.INTEGER, args);
        }
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        byte[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    // ---- Engine: sessions that move between nodes ---------------------------------------------------

    @Override
    public void enableSessionMoves(String realmName, long windowMillis, int maxHeld, SessionSource source) {
        sessionWindowMs = Math.max(sessionWindowMs, windowMillis);
        sessionHoldLimit = Math.max(sessionHoldLimit, maxHeld);
        movable.put(realmName, source);
    }

    @Override
    public void sessionOpened(Peer peer, String token, boolean identityBound) {
        if (!movable.containsKey(peer.realm())) return;
        eval(Scripts.SESSION_OPEN, ScriptOutputType.INTEGER, token, peer.realm(), peer.id(), identityBound ? "1" : "");
    }

    @Override
    public void sessionEnded(Peer peer, String token) {
        if (!movable.containsKey(peer.realm())) return;
        eval(Scripts.SESSION_END, ScriptOutputType.INTEGER, token, peer.realm(), peer.id());
    }

    @Override
    public CompletionStage<SessionAdoption> adoptSession(String realmName, String token, String provenId, Outlet outlet) {
        if (!movable.containsKey(realmName) || !ready) return CompletableFuture.completedFuture(SessionAdoption.NONE);
        CompletableFuture<SessionAdoption> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HAND_OVER_WAIT_MS);
        eval(Scripts.SESSION_PEEK, ScriptOutputType.MULTI, token).whenComplete((found, failure) -> {
            if (failure != null || !(found instanceof List<?> list) || list.size() < 2) {
                result.complete(SessionAdoption.NONE);
                return;
            }
            String recordRealm = text(list.get(0));
            String id = text(list.get(1));
            if (!recordRealm.equals(realmName)) {
                result.complete(SessionAdoption.NONE);
                return;
            }
            // Installed before the claim: frames that reach this node for the peer as soon as Redis
            // names it the owner wait behind the held ones instead of finding no one.
            Pending gate = new Pending();
            Peer peer = new Peer(realmName, id, gate);
            if (realm(realmName).local.putIfAbsent(id, peer) != null) {
                result.complete(SessionAdoption.NONE);
                return;
            }
            claim(realmName, token, provenId, peer, gate, outlet, deadline, result);
        });
        return result;
    }

    /** @param gate the adopted peer's outlet until its held frames are in; then it forwards to {@code outlet} */
    private void claim(String realmName, String token, String provenId, Peer peer, Pending gate, Outlet outlet,
            long deadline, CompletableFuture<SessionAdoption> result) {
        Realm realm = realm(realmName);
        eval(Scripts.CLAIM, ScriptOutputType.MULTI, token, provenId == null ? "" : provenId).whenComplete((reply, failure) -> {
            try {
                List<?> list = failure == null && reply instanceof List<?> l ? l : null;
                long status = list == null || list.isEmpty() ? 0 : (Long) list.get(0);
                if (status == 1 && System.nanoTime() < deadline) {
                    scheduler.schedule(() -> claim(realmName, token, provenId, peer, gate, outlet, deadline, result),
                            HAND_OVER_RETRY_MS, TimeUnit.MILLISECONDS);
                    return;
                }
                if (status != 2) {
                    realm.local.remove(peer.id(), peer);
                    result.complete(status == 3 ? SessionAdoption.REFUSED : SessionAdoption.NONE);
                    return;
                }
                List<String> roomNames = new ArrayList<>();
                List<?> rooms = (List<?>) list.get(3);
                for (int i = 0; i + 1 < rooms.size(); i += 2) {
                    String roomName = text(rooms.get(i));
                    Wire.Reader value = new Wire.Reader((byte[]) rooms.get(i + 1));
                    value.text(); // version
                    Member member = new Member(peer.id(), value.bytes());
                    boolean announce = value.text().equals("1");
                    int capacity = Integer.parseInt(value.text());
                    adoptSlot(realm, roomName, new Slot(member, node, peer), announce, capacity);
                    roomNames.add(roomName);
                }
                realm.remote.remove(peer.id());
                peer.restoreRooms(roomNames);
                List<Event> held = new ArrayList<>();
                for (Object message : (List<?>) list.get(4)) {
                    Wire.Reader reader = new Wire.Reader((byte[]) message);
                    reader.text(); // P
                    reader.text(); // realm
                    reader.text(); // id
                    held.add(decodeEvent(reader));
                }
                gate.open(outlet, held);
                result.complete(new SessionAdoption(peer, false));
            } catch (RuntimeException e) {
                log.warn("cluster: could not take over a session: {}", e.toString());
                realm.local.remove(peer.id(), peer);
                result.complete(SessionAdoption.NONE);
            }
        });
    }

    /** Puts an arrived peer in its slot of a room, in place of the entry that named its old node. */
    private void adoptSlot(Realm realm, String roomName, Slot slot, boolean announce, int capacity) {
        while (true) {
            RoomMembers room = realm.rooms.computeIfAbsent(roomName, n -> new RoomMembers(n, capacity, announce));
            synchronized (room) {
                if (room.isClosed()) continue;
                int index = room.indexOf(slot.member().peer());
                if (index >= 0) {
                    room.replace(index, slot);
                } else {
                    room.add(slot);
                }
                return;
            }
        }
    }

    /**
     * Another node's client resumed a session of this node: give the peer up without a word to its
     * rooms. Its held frames go to Redis in front of any held since; frames that still reach this
     * node for it go there too, until the marker that HAND_OVER publishes shows none can follow.
     */
    private void handOver(String realmName, String token, boolean leaving) {
        SessionSource source = movable.get(realmName);
        if (source == null) return;
        Realm realm = realm(realmName);
        // Events may reach the released peer from any thread at once, before HAND_OVER is even sent;
        // they wait in here until it has been, since Redis runs this node's commands in order.
        Pending late = new Pending();
        SessionSource.Released released = source.release(realmName, token, late);
        if (released == null) return;
        Peer peer = released.peer();
        String peerId = peer.id();
        Set<String> rooms = Set.copyOf(peer.rooms());
        handedOver.put(field(realmName, peerId), new HandedOver(rooms, late));
        realm.local.remove(peerId, peer);
        realm.remote.put(peerId, HELD);
        for (String roomName : rooms) {
            RoomMembers room = realm.rooms.get(roomName);
            if (room == null) continue;
            synchronized (room) {
                int index = room.indexOf(peerId);
                if (index >= 0) room.replace(index, new Slot(room.slots()[index].member(), HELD, null));
            }
        }
        List<Object> args = new ArrayList<>();
        args.add(realmName);
        args.add(peerId);
        args.add(Long.toString(sessionWindowMs));
        args.add(leaving ? "1" : "");
        for (Event event : released.held()) {
            byte[] message = encodeEvent(new Wire.Writer(64).field("P").field(realmName).field(peerId), event);
            if (message != null) args.add(message);
        }
        eval(Scripts.HAND_OVER, ScriptOutputType.INTEGER, args.toArray());
        // Only now: a late frame must not reach Redis before the held ones.
        late.open(event -> holdLate(realmName, peerId, event), List.of());
    }

    /**
     * Sessions still kept here would die with the node: they go to Redis, held frames included, so
     * that their clients resume on another node (a drain ends here). Frames already in flight to
     * this node are received until it stops listening, and follow the held ones; only then may
     * another node claim them.
     */
    private void handAllOver() throws Exception {
        movable.forEach((realmName, source) -> source.sessions().forEach(kept -> handOver(realmName, kept.token(), true)));
        subscription.async().unsubscribe(Wire.utf8(options.prefix() + "node:" + node))
                .get(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        for (String key : List.copyOf(handedOver.keySet())) { // a field: realm, id
            Wire.Reader reader = new Wire.Reader(Wire.utf8(key));
            eval(Scripts.SEAL, ScriptOutputType.INTEGER, reader.text(), reader.text());
        }
        handedOver.clear();
    }

    /** Holds a frame that reached this node for a peer it handed over, behind the peer's held ones in Redis. */
    private void holdLate(String realmName, String peerId, Event event) {
        byte[] message = encodeEvent(new Wire.Writer(64).field("P").field(realmName).field(peerId), event);
        if (message == null) return;
        eval(Scripts.HOLD_LATE, ScriptOutputType.INTEGER, realmName, peerId, message, Long.toString(sessionWindowMs));
    }

    /**
     * An outlet that keeps what it is given until it is opened, then forwards, in order: an adopted
     * peer's frames wait behind the ones Redis held for it, and a handed-over peer's late frames wait
     * until the hand-over has been sent.
     */
    private static final class Pending implements Outlet {
        private Outlet target;
        private List<Event> waiting = new ArrayList<>();

        @Override
        public synchronized void deliver(Event event) {
            if (waiting != null) {
                waiting.add(event);
            } else {
                target.deliver(event);
            }
        }

        /** Delivers {@code first}, then what waited, to {@code target}, which gets every later event too. */
        synchronized void open(Outlet target, List<Event> first) {
            this.target = target;
            first.forEach(target::deliver);
            waiting.forEach(target::deliver);
            waiting = null;
        }
    }

    private static String text(Object value) {
        return new String((byte[]) value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean isMember(String realmName, String roomName, String peerId) {
        RoomMembers room = realm(realmName).rooms.get(roomName);
        return room != null && room.indexOf(peerId) >= 0;
    }

    @Override
    public List<Member> roster(String realmName, String roomName) {
        RoomMembers room = realm(realmName).rooms.get(roomName);
        return room == null ? List.of() : room.roster();
    }

    @Override
    public List<String> rooms(String realmName) {
        return new ArrayList<>(realm(realmName).rooms.keySet());
    }

    @Override
    public int roomCount(String realmName) {
        return realm(realmName).rooms.size();
    }

    @Override
    public int peerCount(String realmName) {
        Realm realm = realm(realmName);
        return realm.local.size() + realm.remote.size();
    }

    @Override
    public List<String> peerIds(String realmName) {
        Realm realm = realm(realmName);
        List<String> ids = new ArrayList<>(realm.local.keySet());
        ids.addAll(realm.remote.keySet());
        return ids;
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    // ---- operator numbers ----------------------------------------------------------------------

    /** Times Redis became unreachable (or this node fell out of step with it). */
    public long outages() {
        return outages.get();
    }

    /** Messages published to other nodes. */
    public long published() {
        return published.get();
    }

    /** Messages and events received from Redis. */
    public long received() {
        return received.get();
    }

    /** Dead nodes this node cleaned up after. */
    public long reapedNodes() {
        return reaped.get();
    }

    /** Redis writes that failed (each one makes the node resynchronize). */
    public long writeFailures() {
        return writeFailures.get();
    }

    /** Nodes registered in Redis at the last heartbeat. */
    public int nodes() {
        return nodes;
    }

    /** Peers on other nodes, as this node's replica knows them. */
    public int remotePeers() {
        return realms.values().stream().mapToInt(r -> r.remote.size()).sum();
    }

    // ---- Redis: writes -------------------------------------------------------------------------

    private java.util.concurrent.CompletionStage<Object> eval(String script, ScriptOutputType type, Object... args) {
        return evalAs(node, script, type, args);
    }

    /** Runs a script for {@code owner}'s state (this node's, or a node it acts for). */
    private java.util.concurrent.CompletionStage<Object> evalAs(String owner, String script, ScriptOutputType type,
            Object... args) {
        StatefulRedisConnection<byte[], byte[]> connection = commands;
        if (connection == null) {
            markOutOfStep(null);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        byte[][] values = new byte[args.length + 2][];
        values[0] = Wire.utf8(options.prefix());
        values[1] = Wire.utf8(owner);
        for (int i = 0; i < args.length; i++) {
            values[i + 2] = args[i] instanceof byte[] bytes ? bytes : Wire.utf8((String) args[i]);
        }
        // By digest: the scripts are loaded in resync; after a Redis restart NOSCRIPT fails the call,
        // which puts the node out of step, and the resync that follows loads them again.
        RedisFuture<Object> future = connection.async().evalsha(DIGESTS.get(script), type, NO_KEYS, values);
        return future.exceptionally(failure -> {
            markOutOfStep(failure);
            return null;
        });
    }

    private void publish(String target, byte[] message) {
        StatefulRedisConnection<byte[], byte[]> connection = commands;
        if (connection == null) return;
        published.incrementAndGet();
        byte[] channel = nodeChannels.computeIfAbsent(target, t -> Wire.utf8(options.prefix() + "node:" + t));
        connection.async().publish(channel, message).exceptionally(failure -> {
            markOutOfStep(failure);
            return null;
        });
    }

    private void sendEvict(String target, String realmName, String peerId, String room, String reason) {
        publish(target, new Wire.Writer(64).field("E").field(realmName).field(peerId)
                .field(room == null ? "" : "1" + room).field(reason).finish());
    }

    /** A write failed: Redis no longer matches this node. Serve locally until the next tick resyncs. */
    private void markOutOfStep(Throwable failure) {
        if (failure != null) writeFailures.incrementAndGet();
        synced = false;
        if (ready) {
            ready = false;
            outages.incrementAndGet();
            outageStartedMillis = System.currentTimeMillis();
            log.warn("cluster: Redis at {} is unreachable ({}); serving this node's peers only",
                    options.redisUri(), failure == null ? "not connected" : failure.toString());
        }
    }

    /** Events of one kind may only travel between nodes as relays and evictions. */
    private static byte[] encodeEvent(Wire.Writer writer, Event event) {
        if (event instanceof Event.Relayed relayed) {
            writer.field("r").field(relayed.from()).field(relayed.room() == null ? "" : "1" + relayed.room());
            return writer.finish(relayed.payload());
        }
        if (event instanceof Event.Evicted evicted) {
            return writer.field("e").field(evicted.reason()).finish();
        }
        // Presence reaches other nodes through the events channel, never as a directed message.
        log.debug("cluster: {} is not sent between nodes", event.getClass().getSimpleName());
        return null;
    }

    private static Event decodeEvent(Wire.Reader reader) {
        String kind = reader.text();
        if (kind.equals("r")) {
            String from = reader.text();
            String room = optional(reader.text());
            return new Event.Relayed(from, room, reader.tail(), System.nanoTime());
        }
        if (kind.equals("e")) return new Event.Evicted(reader.text());
        throw new IllegalArgumentException("unknown event kind " + kind);
    }

    private static String optional(String field) {
        return field.isEmpty() ? null : field.substring(1);
    }

    // ---- Redis: the heartbeat loop ---------------------------------------------------------------

    /** On the cluster thread: connect, resynchronize, renew the heartbeat and reap dead nodes. */
    private void tick() {
        if (closed) return;
        try {
            if (commands == null) connect();
            if (!synced) resync();
            long added = (Long) await(eval(Scripts.HEARTBEAT, ScriptOutputType.INTEGER,
                    Long.toString(options.nodeTimeoutMs())));
            if (added == 1) {
                // Taken for dead (a long pause, or Redis lost its data): write everything again.
                log.warn("cluster: this node was no longer registered; registering its peers again");
                synced = false;
                resync();
            }
            @SuppressWarnings("unchecked")
            List<List<Object>> reap = (List<List<Object>>) await(eval(Scripts.REAP, ScriptOutputType.MULTI,
                    Long.toString(sessionWindowMs)));
            for (Object gone : reap.get(0)) {
                reaped.incrementAndGet();
                log.info("cluster: node {} stopped answering; its peers left their rooms",
                        new String((byte[]) gone, StandardCharsets.UTF_8));
            }
            Set<String> live = new HashSet<>();
            for (Object n : reap.get(1)) live.add(new String((byte[]) n, StandardCharsets.UTF_8));
            nodes = live.size();
            live.add(HELD); // held peers belong to no node that beats, but they stay until their window ends
            sweepOrphans(live);
            if (synced && !ready) {
                long outage = outageStartedMillis == 0 ? 0 : System.currentTimeMillis() - outageStartedMillis;
                ready = true;
                log.info("cluster: node {} in step with Redis at {} ({} nodes{})", node, options.redisUri(), nodes,
                        outage > 0 ? ", after an outage of " + outage + " ms" : "");
            }
        } catch (Exception e) {
            markOutOfStep(e);
            if (!synced) {
                synchronized (eventLock) {
                    buffered = null; // the next resync takes a fresh snapshot; hold nothing meanwhile
                }
            }
        }
    }

    /** The first connections; after that, Lettuce reconnects them by itself. */
    private void connect() {
        try {
            if (subscription == null) {
                StatefulRedisPubSubConnection<byte[], byte[]> pubsub = client.connectPubSub(ByteArrayCodec.INSTANCE);
                pubsub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(byte[] channel, byte[] message) {
                        onMessage(channel, message);
                    }
                });
                subscription = pubsub;
            }
            commands = client.connect(ByteArrayCodec.INSTANCE);
        } catch (RuntimeException e) {
            if (connectFailures++ == 0) {
                log.warn("cluster: cannot reach Redis at {} ({}); serving this node's peers only until it answers",
                        options.redisUri(), e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Makes Redis hold this node's present state, then reloads the replica of everyone else's.
     * Events that arrive while the snapshot loads wait and are applied after it if they are newer.
     */
    private void resync() throws Exception {
        // Set first: anything that puts the node out of step during the load clears it again, and
        // then the load does not count (see the end).
        synced = true;
        resyncs.incrementAndGet();
        synchronized (eventLock) {
            buffered = new ArrayList<>();
        }
        // (Re)subscribe first, so that nothing published after the snapshot is missed.
        subscription.async().subscribe(eventsChannel, Wire.utf8(options.prefix() + "node:" + node))
                .get(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        for (String script : Scripts.ALL) {
            String loaded = commands.async().scriptLoad(script).get(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (!DIGESTS.get(script).equals(loaded)) throw new IllegalStateException("Redis named a script " + loaded);
        }
        List<Object> args = new ArrayList<>();
        args.add(Long.toString(options.nodeTimeoutMs()));
        List<String> peerFields = new ArrayList<>();
        Map<String, byte[]> memberFields = new LinkedHashMap<>();
        for (Realm realm : realms.values()) {
            for (String id : realm.local.keySet()) peerFields.add(field(realm.name, id));
            for (RoomMembers room : realm.rooms.values()) {
                for (Slot slot : room.slots()) {
                    if (slot.local() == null) continue;
                    memberFields.put(field(realm.name, room.name(), slot.member().peer()), new Wire.Writer(64)
                            .field(slot.member().meta()).field(room.announces() ? "1" : "0")
                            .field(Integer.toString(room.capacity())).finish());
                }
            }
        }
        args.add(Integer.toString(peerFields.size()));
        args.addAll(peerFields);
        memberFields.forEach((f, value) -> {
            args.add(f);
            args.add(value);
        });
        @SuppressWarnings("unchecked")
        List<Object> lost = (List<Object>) await(eval(Scripts.RESTORE, ScriptOutputType.MULTI, args.toArray()));
        for (Object f : lost) {
            Wire.Reader reader = new Wire.Reader((byte[]) f);
            Peer peer = realm(reader.text()).local.get(reader.text());
            if (peer != null) evictor.evict(peer, null, "replaced by a newer connection");
        }
        // Session records may be gone too (Redis restarted empty): without them no other node could
        // take these sessions over, nor hold them if this node died.
        movable.forEach((realmName, source) -> source.sessions().forEach(kept -> {
            if (kept.peer().isConnected() && realm(realmName).local.get(kept.peer().id()) == kept.peer()) {
                sessionOpened(kept.peer(), kept.token(), kept.identityBound());
            }
        }));
        @SuppressWarnings("unchecked")
        List<Object> snapshot = (List<Object>) await(eval(Scripts.SNAPSHOT, ScriptOutputType.MULTI));
        if (snapshot == null) throw new IllegalStateException("no snapshot");
        applySnapshot(snapshot);
        if (!synced) throw new IllegalStateException("fell out of step with Redis while loading; loading again");
    }

    private Object await(java.util.concurrent.CompletionStage<Object> stage) throws Exception {
        Object result = stage.toCompletableFuture().get(COMMAND_TIMEOUT_MS * 2, TimeUnit.MILLISECONDS);
        if (result == null) throw new IllegalStateException("Redis did not answer");
        return result;
    }

    // ---- Redis: events in --------------------------------------------------------------------------

    private void onMessage(byte[] channel, byte[] message) {
        received.incrementAndGet();
        try {
            if (Arrays.equals(channel, eventsChannel)) {
                synchronized (eventLock) {
                    if (buffered != null) {
                        if (buffered.size() < MAX_BUFFERED_EVENTS) {
                            buffered.add(message);
                        } else {
                            markOutOfStep(null); // too much happened during the load: take another snapshot
                        }
                        return;
                    }
                }
                applyEvent(message, snapshotVersion);
            } else {
                onDirected(message);
            }
        } catch (RuntimeException e) {
            log.warn("cluster: dropped a malformed message: {}", e.toString());
        }
    }

    /** A message for this node: a relay to one peer, a relay to a room's local members, an eviction. */
    private void onDirected(byte[] message) {
        Wire.Reader reader = new Wire.Reader(message);
        String kind = reader.text();
        Realm realm = realm(reader.text());
        switch (kind) {
            case "P" -> {
                String id = reader.text();
                Peer peer = realm.local.get(id);
                if (peer != null) {
                    peer.outlet().deliver(decodeEvent(reader));
                } else {
                    HandedOver gone = handedOver.get(field(realm.name, id));
                    if (gone != null) gone.late().deliver(decodeEvent(reader));
                }
            }
            case "B" -> {
                String roomName = reader.text();
                RoomMembers room = realm.rooms.get(roomName);
                String except = optional(reader.text());
                Event event = decodeEvent(reader);
                if (room != null) {
                    room.publishLocal(event, except);
                    for (Slot slot : room.slots()) {
                        if (slot.local() != null || slot.member().peer().equals(except)) continue;
                        String id = slot.member().peer();
                        Peer arriving = realm.local.get(id);
                        if (arriving != null) {
                            arriving.outlet().deliver(event); // taken over, its slot not yet updated
                        } else {
                            HandedOver gone = handedOver.get(field(realm.name, id));
                            if (gone != null) gone.late().deliver(event);
                        }
                    }
                }
            }
            case "N" -> { } // a probe: whoever published it only wanted to know that this node listens
            case "H" -> {
                reader.text(); // the peer id; the token names the session
                handOver(realm.name, reader.text(), false);
            }
            case "S" -> {
                String id = reader.text();
                handedOver.remove(field(realm.name, id));
                eval(Scripts.SEAL, ScriptOutputType.INTEGER, realm.name, id);
            }
            case "E" -> {
                Peer peer = realm.local.get(reader.text());
                String room = optional(reader.text());
                String reason = reader.text();
                if (peer != null) evictor.evict(peer, room, reason);
            }
            default -> throw new IllegalArgumentException("unknown message kind " + kind);
        }
    }

    /** Applies one change another node made (this node's own are applied when it makes them). */
    private void applyEvent(byte[] message, long notAfter) {
        Wire.Reader reader = new Wire.Reader(message);
        String kind = reader.text();
        long version = Long.parseLong(reader.text());
        String origin = reader.text();
        if (version <= notAfter || origin.equals(node)) return;
        Realm realm = realm(reader.text());
        switch (kind) {
            case "A" -> realm.remote.put(reader.text(), origin);
            case "M" -> {
                String id = reader.text();
                String to = reader.text();
                if (realm.local.containsKey(id)) return; // this node's own peer now (it took it over)
                realm.remote.put(id, to);
                for (RoomMembers room : realm.rooms.values()) {
                    synchronized (room) {
                        int index = room.indexOf(id);
                        if (index >= 0 && room.slots()[index].local() == null) {
                            room.replace(index, new Slot(room.slots()[index].member(), to, null));
                        }
                    }
                }
            }
            case "D" -> realm.remote.remove(reader.text(), origin);
            case "J" -> {
                String room = reader.text();
                Member member = new Member(reader.text(), reader.bytes());
                boolean announce = reader.text().equals("1");
                int capacity = Integer.parseInt(reader.text());
                addSlot(realm, room, new Slot(member, origin, null), announce, capacity, true);
            }
            case "L" -> {
                String room = reader.text();
                String id = reader.text();
                LeaveReason reason = reason(reader.text());
                removeSlot(realm, room, id, origin, reason, true);
            }
            default -> throw new IllegalArgumentException("unknown event kind " + kind);
        }
    }

    private void addSlot(Realm realm, String roomName, Slot slot, boolean announce, int capacity, boolean tell) {
        while (true) {
            RoomMembers room = realm.rooms.computeIfAbsent(roomName, n -> new RoomMembers(n, capacity, announce));
            synchronized (room) {
                if (room.isClosed()) continue;
                if (room.indexOf(slot.member().peer()) >= 0) return;
                room.add(slot);
                if (tell && room.announces()) {
                    room.publishLocal(new Event.PeerJoined(roomName, slot.member(), room.roster()), null);
                }
                return;
            }
        }
    }

    private void removeSlot(Realm realm, String roomName, String id, String origin, LeaveReason reason, boolean tell) {
        RoomMembers room = realm.rooms.get(roomName);
        if (room == null) return;
        synchronized (room) {
            int index = room.indexOf(id);
            if (index < 0 || room.slots()[index].local() != null || !room.slots()[index].node().equals(origin)) return;
            Member member = room.slots()[index].member();
            room.remove(index);
            if (room.size() == 0) {
                room.close();
                realm.rooms.remove(roomName, room);
            }
            if (tell && room.announces()) room.publishLocal(new Event.PeerLeft(roomName, member, reason, room.roster()), null);
        }
    }

    /**
     * Drops what the replica still holds for nodes that are no longer registered, once they have
     * been missing for the node timeout: their departure events may have been lost while this node
     * was out of touch, and a node that comes back within the timeout (Redis restarted under it)
     * registers its peers again and keeps them without a departure and a return.
     */
    private void sweepOrphans(Set<String> live) {
        long now = System.nanoTime();
        Set<String> orphans = new HashSet<>();
        for (Realm realm : realms.values()) {
            for (String owner : realm.remote.values()) if (!live.contains(owner)) orphans.add(owner);
            for (RoomMembers room : realm.rooms.values()) {
                for (Slot slot : room.slots()) if (slot.local() == null && !live.contains(slot.node())) orphans.add(slot.node());
            }
        }
        missingSince.keySet().retainAll(orphans);
        for (String orphan : orphans) {
            long since = missingSince.computeIfAbsent(orphan, o -> now);
            if (now - since < TimeUnit.MILLISECONDS.toNanos(options.nodeTimeoutMs())) continue;
            log.info("cluster: forgetting the peers of node {}, gone from Redis", orphan);
            missingSince.remove(orphan);
            for (Realm realm : realms.values()) {
                realm.remote.values().removeIf(orphan::equals);
                for (RoomMembers room : realm.rooms.values()) {
                    for (Slot slot : room.slots()) {
                        if (slot.local() == null && slot.node().equals(orphan)) {
                            removeSlot(realm, room.name(), slot.member().peer(), orphan, LeaveReason.DISCONNECTED, true);
                        }
                    }
                }
            }
        }
    }

    /**
     * Replaces the replica of other nodes' state by the snapshot, tells local members of every
     * difference (peers that came or went while this node was out of touch), then applies the
     * events that arrived meanwhile and are newer than the snapshot.
     */
    private void applySnapshot(List<Object> snapshot) {
        long version = Long.parseLong(new String((byte[]) snapshot.get(0), StandardCharsets.UTF_8));
        Set<String> listed = new HashSet<>();
        Map<String, Map<String, String>> directory = new HashMap<>();
        Map<String, Map<String, List<Entry>>> memberships = new HashMap<>();
        int nodeCount = 0;
        for (int i = 1; i < snapshot.size(); i++) {
            @SuppressWarnings("unchecked")
            List<Object> entry = (List<Object>) snapshot.get(i);
            String owner = new String((byte[]) entry.get(0), StandardCharsets.UTF_8);
            if (!owner.equals(HELD)) nodeCount++;
            listed.add(owner);
            if (owner.equals(node)) continue;
            for (Object f : (List<?>) entry.get(1)) {
                Wire.Reader reader = new Wire.Reader((byte[]) f);
                directory.computeIfAbsent(reader.text(), r -> new HashMap<>()).put(reader.text(), owner);
            }
            List<?> nm = (List<?>) entry.get(2);
            for (int j = 0; j + 1 < nm.size(); j += 2) {
                Wire.Reader key = new Wire.Reader((byte[]) nm.get(j));
                Wire.Reader value = new Wire.Reader((byte[]) nm.get(j + 1));
                String realmName = key.text();
                String room = key.text();
                String id = key.text();
                long seq = Long.parseLong(value.text());
                byte[] meta = value.bytes();
                boolean announce = value.text().equals("1");
                int capacity = Integer.parseInt(value.text());
                memberships.computeIfAbsent(realmName, r -> new HashMap<>()).computeIfAbsent(room, r -> new ArrayList<>())
                        .add(new Entry(seq, new Slot(new Member(id, meta), owner, null), announce, capacity));
            }
        }
        nodes = nodeCount;
        Set<String> realmNames = new HashSet<>(realms.keySet());
        realmNames.addAll(directory.keySet());
        realmNames.addAll(memberships.keySet());
        for (String realmName : realmNames) {
            Realm realm = realm(realmName);
            Map<String, String> remote = directory.getOrDefault(realmName, Map.of());
            // Entries of nodes the snapshot does not list stay until sweepOrphans decides.
            realm.remote.entrySet().removeIf(e -> listed.contains(e.getValue()) && !remote.containsKey(e.getKey()));
            realm.remote.putAll(remote);
            Map<String, List<Entry>> rooms = memberships.getOrDefault(realmName, Map.of());
            Set<String> roomNames = new HashSet<>(realm.rooms.keySet());
            roomNames.addAll(rooms.keySet());
            for (String roomName : roomNames) {
                List<Entry> wanted = new ArrayList<>(rooms.getOrDefault(roomName, List.of()));
                wanted.sort((a, b) -> Long.compare(a.seq, b.seq));
                Set<String> wantedKeys = new HashSet<>();
                for (Entry e : wanted) wantedKeys.add(e.slot.node() + "\n" + e.slot.member().peer());
                RoomMembers room = realm.rooms.get(roomName);
                if (room != null) {
                    for (Slot slot : room.slots()) {
                        if (slot.local() == null && listed.contains(slot.node())
                                && !wantedKeys.contains(slot.node() + "\n" + slot.member().peer())) {
                            removeSlot(realm, roomName, slot.member().peer(), slot.node(), LeaveReason.DISCONNECTED, true);
                        }
                    }
                }
                for (Entry e : wanted) addSlot(realm, roomName, e.slot, e.announce, e.capacity, true);
            }
        }
        synchronized (eventLock) {
            snapshotVersion = version;
            for (byte[] message : buffered) {
                try {
                    applyEvent(message, version);
                } catch (RuntimeException e) {
                    log.warn("cluster: dropped a malformed event: {}", e.toString());
                }
            }
            buffered = null;
        }
    }

    private record Entry(long seq, Slot slot, boolean announce, int capacity) {}

    private static Map<String, String> digests() {
        Map<String, String> map = new java.util.IdentityHashMap<>();
        for (String script : Scripts.ALL) map.put(script, Scripts.digest(script));
        return map;
    }

    private static LeaveReason reason(String wireName) {
        for (LeaveReason reason : LeaveReason.values()) {
            if (reason.wireName().equals(wireName)) return reason;
        }
        return LeaveReason.DISCONNECTED;
    }

    private static String field(String... parts) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) out.append(Wire.utf8(part).length).append(':').append(part);
        return out.toString();
    }

    // ---- shutdown ----------------------------------------------------------------------------------

    /** Leaves the cluster: the other nodes hear at once that this node's peers are gone. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        scheduler.shutdownNow();
        try {
            if (commands != null && commands.isOpen() && ready && !movable.isEmpty()) handAllOver();
            if (commands != null && commands.isOpen()) {
                eval(Scripts.DEPART, ScriptOutputType.INTEGER, Long.toString(sessionWindowMs)).toCompletableFuture()
                        .get(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            log.debug("cluster: could not announce departure: {}", e.toString());
        }
        ready = false;
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    // ---- the replica -------------------------------------------------------------------------------

    /** A peer on another node as the switchboard sees it: events for it go to that node. */
    private final class RemoteOutlet implements io.signalman.core.Outlet {
        final String node;
        final String realm;
        final String id;

        RemoteOutlet(String node, String realm, String id) {
            this.node = node;
            this.realm = realm;
            this.id = id;
        }

        @Override
        public void deliver(Event event) {
            if (event instanceof Event.Evicted evicted) {
                sendEvict(node, realm, id, null, evicted.reason());
            } else {
                byte[] message = encodeEvent(new Wire.Writer(64).field("P").field(realm).field(id), event);
                if (message != null) publish(node, message);
            }
        }
    }

    private static final class Realm {
        final String name;
        final ConcurrentMap<String, Peer> local = new ConcurrentHashMap<>();
        /** Peer id to node id, for peers on other nodes. */
        final ConcurrentMap<String, String> remote = new ConcurrentHashMap<>();
        final ConcurrentMap<String, RoomMembers> rooms = new ConcurrentHashMap<>();

        Realm(String name) {
            this.name = name;
        }
    }
}
