package io.signalman.core.engine;

import io.signalman.core.Engine;
import io.signalman.core.Event;
import io.signalman.core.JoinOutcome;
import io.signalman.core.LeaveReason;
import io.signalman.core.Member;
import io.signalman.core.Peer;
import io.signalman.core.RoomPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The single-node engine: directory and rooms in memory.
 *
 * <p>Rooms are {@link RoomMembers}: membership changes and presence events under the room's lock,
 * relays over its copy-on-write array of members without locking, since they far outnumber
 * membership changes.
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
            RoomMembers room = realm.rooms.computeIfAbsent(roomName, n -> new RoomMembers(n, policy.capacity(), policy.announce()));
            synchronized (room) {
                if (room.isClosed()) continue; // emptied and unlinked meanwhile: make a fresh one
                if (room.indexOf(peer.id()) >= 0) return new JoinOutcome.AlreadyIn();
                if (room.size() >= room.capacity()) return new JoinOutcome.Full(room.capacity());
                room.add(new RoomMembers.Slot(member, null, peer));
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
        synchronized (room) {
            int index = room.indexOf(peer.id());
            if (index < 0 || room.slots()[index].local() != peer) return null;
            Member member = room.slots()[index].member();
            room.remove(index);
            if (room.size() == 0) {
                room.close();
                realm.rooms.remove(roomName, room);
            }
            List<Member> roster = room.roster();
            if (room.announces()) room.publishLocal(new Event.PeerLeft(roomName, member, reason, roster), null);
            return roster;
        }
    }

    @Override
    public int publish(String realmName, String roomName, Event event, String exceptPeer) {
        RoomMembers room = realm(realmName).rooms.get(roomName);
        return room == null ? 0 : room.publishLocal(event, exceptPeer);
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
        return realm(realmName).peers.size();
    }

    @Override
    public List<String> peerIds(String realmName) {
        return new ArrayList<>(realm(realmName).peers.keySet());
    }

    private static final class Realm {
        final ConcurrentMap<String, Peer> peers = new ConcurrentHashMap<>();
        final ConcurrentMap<String, RoomMembers> rooms = new ConcurrentHashMap<>();
    }
}
