package io.signalman.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The core's front door for dialects: connect and disconnect peers, move them in and out of rooms,
 * and relay payloads under the routing rules. It knows nothing of any wire format; the
 * {@link Engine} behind it decides where peers live.
 *
 * <p>Routing rule: a peer reaches only peers it shares a room with, unless its realm was declared
 * open (addressing by id alone, as some original protocols do).
 */
public final class Switchboard {

    /** What to do when a peer connects with an id that is already connected. */
    public enum DuplicatePolicy {
        /** Refuse the newcomer. */
        REJECT,
        /** Evict the holder (it gets {@link Event.Evicted} and leaves its rooms), then admit the newcomer. */
        REPLACE
    }

    private final Engine engine;
    private final int maxRoomsPerPeer;

    public Switchboard(Engine engine, int maxRoomsPerPeer) {
        this.engine = engine;
        this.maxRoomsPerPeer = maxRoomsPerPeer;
        engine.bindEvictor((peer, room, reason) -> {
            peer.outlet().deliver(new Event.Evicted(reason));
            if (room == null) {
                disconnect(peer, LeaveReason.KICKED);
            } else {
                leave(peer, room, LeaveReason.KICKED);
            }
        });
    }

    public Engine engine() {
        return engine;
    }

    /**
     * Registers a peer under {@code id} in {@code realm}.
     *
     * @return the new peer, or null when the id is taken and the policy is {@link DuplicatePolicy#REJECT}
     */
    public Peer connect(String realm, String id, Outlet outlet, DuplicatePolicy policy) {
        return connect(realm, id, outlet, holder -> policy == DuplicatePolicy.REPLACE);
    }

    /**
     * Registers a peer under {@code id} in {@code realm}; when the id is held, {@code replaceHolder}
     * decides whether the holder is evicted (it gets {@link Event.Evicted} and leaves its rooms) or
     * the newcomer is refused. For protocols where only the holder's own credentials may take an id over.
     *
     * @return the new peer, or null when the id is held and {@code replaceHolder} refused
     */
    public Peer connect(String realm, String id, Outlet outlet, Predicate<Peer> replaceHolder) {
        Peer peer = new Peer(realm, id, outlet);
        while (true) {
            Peer holder = engine.attach(peer);
            if (holder == null) return peer;
            if (!replaceHolder.test(holder)) return null;
            holder.outlet().deliver(new Event.Evicted("replaced by a newer connection"));
            disconnect(holder, LeaveReason.KICKED);
        }
    }

    /** Takes a peer out of every room (others hear {@code reason}) and out of the directory. Idempotent. */
    public void disconnect(Peer peer, LeaveReason reason) {
        peer.markDisconnected();
        for (String room : List.copyOf(peer.rooms())) {
            leave(peer, room, reason);
        }
        engine.detach(peer);
    }

    /** Puts a peer in a room; the others hear of it if the room announces presence. */
    public JoinOutcome join(Peer peer, String room, byte[] meta, RoomPolicy policy) {
        if (!peer.isConnected()) throw new IllegalStateException(peer + " is disconnected");
        if (peer.rooms().contains(room)) return new JoinOutcome.AlreadyIn();
        if (peer.rooms().size() >= maxRoomsPerPeer) return new JoinOutcome.TooManyRooms(maxRoomsPerPeer);
        JoinOutcome outcome = engine.join(peer, room, meta, policy);
        if (outcome instanceof JoinOutcome.Joined) peer.addRoom(room);
        return outcome;
    }

    /**
     * Puts a peer in a room with the room's capacity checked across every node (see
     * {@link Engine#joinAsync}); the stage may complete on another thread. A caller that needs its
     * answer in order with the connection's other requests waits for it before handling the next one.
     * A peer that disconnects while its join is pending is taken out of the room again.
     */
    public CompletionStage<JoinOutcome> joinAsync(Peer peer, String room, byte[] meta,
            RoomPolicy policy) {
        if (!peer.isConnected()) throw new IllegalStateException(peer + " is disconnected");
        if (peer.rooms().contains(room)) return CompletableFuture.completedFuture(new JoinOutcome.AlreadyIn());
        if (peer.rooms().size() >= maxRoomsPerPeer) {
            return CompletableFuture.completedFuture(new JoinOutcome.TooManyRooms(maxRoomsPerPeer));
        }
        return engine.joinAsync(peer, room, meta, policy).thenApply(outcome -> {
            if (outcome instanceof JoinOutcome.Joined) {
                peer.addRoom(room);
                // disconnect() marks the peer before it copies its rooms: either it saw this room,
                // or this check sees the mark. removeRoom lets only one of the two leave.
                if (!peer.isConnected()) leave(peer, room, LeaveReason.DISCONNECTED);
            }
            return outcome;
        });
    }

    /**
     * Takes a peer out of a room.
     *
     * @return the members that remain, or null if the peer was not in the room
     */
    public List<Member> leave(Peer peer, String room, LeaveReason reason) {
        if (!peer.removeRoom(room)) return null;
        return engine.leave(peer, room, reason);
    }

    /**
     * Relays a payload to one peer. With {@code room} set, both must be in that room; without it,
     * they must share at least one room.
     */
    public SendOutcome signal(Peer from, String to, String room, byte[] payload, long receivedNanos) {
        if (from.id().equals(to)) return SendOutcome.SELF;
        String realm = from.realm();
        if (room != null) {
            if (!from.rooms().contains(room)) return SendOutcome.NOT_IN_ROOM;
            if (!engine.isMember(realm, room, to)) return SendOutcome.PEER_UNAVAILABLE;
        } else if (!sharesRoom(from, to)) {
            return SendOutcome.PEER_UNAVAILABLE;
        }
        Event event = new Event.Relayed(from.id(), room, payload, receivedNanos);
        return engine.deliver(realm, to, event) ? SendOutcome.DELIVERED : SendOutcome.PEER_UNAVAILABLE;
    }

    /**
     * Relays a payload to a peer by id alone, for realms whose original protocol has no rooms
     * (addressing by id is their only rule). Self-addressed payloads are delivered too.
     */
    public SendOutcome send(Peer from, String to, byte[] payload, long receivedNanos) {
        Event event = new Event.Relayed(from.id(), null, payload, receivedNanos);
        return engine.deliver(from.realm(), to, event) ? SendOutcome.DELIVERED : SendOutcome.PEER_UNAVAILABLE;
    }

    /**
     * Hands a payload to a peer by id on behalf of the server or of a connection that is not a
     * peer itself (for protocols where one connection speaks for several registered names).
     */
    public SendOutcome sendTo(String realm, String to, String from, byte[] payload, long receivedNanos) {
        Event event = new Event.Relayed(from, null, payload, receivedNanos);
        return engine.deliver(realm, to, event) ? SendOutcome.DELIVERED : SendOutcome.PEER_UNAVAILABLE;
    }

    /** Relays a payload to every other member of a room the sender is in. */
    public SendOutcome broadcast(Peer from, String room, byte[] payload, long receivedNanos) {
        if (!from.rooms().contains(room)) return SendOutcome.NOT_IN_ROOM;
        engine.publish(from.realm(), room, new Event.Relayed(from.id(), room, payload, receivedNanos), from.id());
        return SendOutcome.DELIVERED;
    }

    /**
     * Takes a peer out of one room on the server's behalf (members hear reason {@code kicked}) and
     * tells the peer why with {@link Event.Evicted}; what the peer's connection does then is its
     * dialect's business.
     *
     * @return false if there is no such peer
     */
    public boolean evict(String realm, String peerId, String room, String reason) {
        Peer peer = engine.find(realm, peerId);
        if (peer == null) return engine.evictRemote(realm, peerId, room, reason);
        leave(peer, room, LeaveReason.KICKED);
        return engine.deliver(realm, peerId, new Event.Evicted(reason));
    }

    /** Sends a server-originated event to every member of a room except {@code exceptPeer} (may be null). */
    public int announce(String realm, String room, Event event, String exceptPeer) {
        return engine.publish(realm, room, event, exceptPeer);
    }

    private boolean sharesRoom(Peer from, String to) {
        for (String room : from.rooms()) {
            if (engine.isMember(from.realm(), room, to)) return true;
        }
        return false;
    }
}
