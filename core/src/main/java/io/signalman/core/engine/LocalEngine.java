package io.signalman.core.engine;

import io.signalman.core.Engine;
import io.signalman.core.Event;
import io.signalman.core.JoinOutcome;
import io.signalman.core.LeaveReason;
import io.signalman.core.Member;
import io.signalman.core.Peer;
import io.signalman.core.RoomPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The single-node engine: directory and rooms in memory.
 *
 * <p>A room's membership changes under the room's own lock, and its presence events are handed
 * out under that lock, so every member sees joins and leaves in one order. Relays read a
 * copy-on-write array of members without locking, since they far outnumber membership changes.
 */
public final class LocalEngine implements Engine {

    private final ConcurrentMap<String, Realm> realms = new ConcurrentHashMap<>();

    private Realm realm(String name) {
        Realm realm = realms.get(name);
        return realm != null ? realm : realms.computeIfAbsent(name, n -> new Realm());
    }

    @Override
    public Peer attach(Peer peer) {
        return realm(peer.realm()).peers.putIfAbsent(peer.id(), peer);
    }

    @Override
    public boolean detach(Peer peer) {
        return realm(peer.realm()).peers.remove(peer.id(), peer);
    }

    @Override
    public Peer find(String realm, String id) {
        return realm(realm).peers.get(id);
    }

    @Override
    public boolean deliver(String realm, String peerId, Event event) {
        Peer peer = realm(realm).peers.get(peerId);
        if (peer == null) return false;
        peer.outlet().deliver(event);
        return true;
    }

    @Override
    public JoinOutcome join(Peer peer, String roomName, byte[] meta, RoomPolicy policy) {
        Realm realm = realm(peer.realm());
        Member member = new Member(peer.id(), meta);
        while (true) {
            Room room = realm.rooms.computeIfAbsent(roomName, n -> new Room(n, policy));
            synchronized (room) {
                if (room.closed) continue; // emptied and unlinked meanwhile: make a fresh one
                if (room.indexOf(peer.id()) >= 0) return new JoinOutcome.AlreadyIn();
                if (room.members.length >= room.policy.capacity()) {
                    return new JoinOutcome.Full(room.policy.capacity());
                }
                room.add(peer, member);
                List<Member> roster = room.roster();
                if (room.policy.announce()) {
                    room.publish(new Event.PeerJoined(roomName, member, roster), peer.id());
                }
                return new JoinOutcome.Joined(roster);
            }
        }
    }

    @Override
    public List<Member> leave(Peer peer, String roomName, LeaveReason reason) {
        Realm realm = realm(peer.realm());
        Room room = realm.rooms.get(roomName);
        if (room == null) return null;
        synchronized (room) {
            int index = room.indexOf(peer.id());
            if (index < 0 || room.members[index].peer != peer) return null;
            Member member = room.members[index].member;
            room.remove(index);
            if (room.members.length == 0) {
                room.closed = true;
                realm.rooms.remove(roomName, room);
            }
            List<Member> roster = room.roster();
            if (room.policy.announce()) {
                room.publish(new Event.PeerLeft(roomName, member, reason, roster), null);
            }
            return roster;
        }
    }

    @Override
    public int publish(String realmName, String roomName, Event event, String exceptPeer) {
        Room room = realm(realmName).rooms.get(roomName);
        return room == null ? 0 : room.publish(event, exceptPeer);
    }

    @Override
    public boolean isMember(String realmName, String roomName, String peerId) {
        Room room = realm(realmName).rooms.get(roomName);
        return room != null && room.indexOf(peerId) >= 0;
    }

    @Override
    public List<Member> roster(String realmName, String roomName) {
        Room room = realm(realmName).rooms.get(roomName);
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
        return realm(realmName).peers.size();
    }

    @Override
    public List<String> peerIds(String realmName) {
        return new ArrayList<>(realm(realmName).peers.keySet());
    }

    private static final class Realm {
        final ConcurrentMap<String, Peer> peers = new ConcurrentHashMap<>();
        final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
    }

    private record Slot(Peer peer, Member member) {}

    private static final class Room {
        private static final Slot[] EMPTY = new Slot[0];

        final String name;
        final RoomPolicy policy;
        /** Replaced, never mutated, so that relays can iterate it without the lock. */
        volatile Slot[] members = EMPTY;
        boolean closed;

        Room(String name, RoomPolicy policy) {
            this.name = name;
            this.policy = policy;
        }

        int indexOf(String peerId) {
            Slot[] slots = members;
            for (int i = 0; i < slots.length; i++) {
                if (slots[i].member.peer().equals(peerId)) return i;
            }
            return -1;
        }

        void add(Peer peer, Member member) {
            Slot[] old = members;
            Slot[] next = new Slot[old.length + 1];
            System.arraycopy(old, 0, next, 0, old.length);
            next[old.length] = new Slot(peer, member);
            members = next;
        }

        void remove(int index) {
            Slot[] old = members;
            Slot[] next = new Slot[old.length - 1];
            System.arraycopy(old, 0, next, 0, index);
            System.arraycopy(old, index + 1, next, index, old.length - index - 1);
            members = next;
        }

        List<Member> roster() {
            Slot[] slots = members;
            Member[] list = new Member[slots.length];
            for (int i = 0; i < slots.length; i++) list[i] = slots[i].member;
            return Collections.unmodifiableList(java.util.Arrays.asList(list));
        }

        int publish(Event event, String exceptPeer) {
            int count = 0;
            for (Slot slot : members) {
                if (exceptPeer != null && exceptPeer.equals(slot.member.peer())) continue;
                slot.peer.outlet().deliver(event);
                count++;
            }
            return count;
        }
    }
}
