package io.signalman.core;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One connected party within a realm (a dialect's id space): its id, the outlet that its events go
 * to, and the rooms it is in. Created by {@link Switchboard#connect}; a dialect keeps the instance
 * for the life of the connection and passes it back on every operation.
 */
public final class Peer {
    private final String realm;
    private final String id;
    /** Replaced only when a kept session moves to a new connection (see {@link SessionKeeper}). */
    private volatile Outlet outlet;
    /**
     * An immutable set replaced on every change. A peer is in one room or a few and changes them
     * rarely, while every connection pays for the set while it is open: a concurrent set costs about
     * 200 bytes for one room, an immutable one of one or two rooms about 24.
     */
    private volatile Set<String> rooms = Set.of();
    private volatile boolean connected = true;

    public Peer(String realm, String id, Outlet outlet) {
        this.realm = realm;
        this.id = id;
        this.outlet = outlet;
    }

    public String realm() {
        return realm;
    }

    public String id() {
        return id;
    }

    public Outlet outlet() {
        return outlet;
    }

    /** The rooms this peer is in now: an immutable snapshot. */
    public Set<String> rooms() {
        return rooms;
    }

    void rebind(Outlet next) {
        outlet = next;
    }

    public boolean isConnected() {
        return connected;
    }

    synchronized boolean addRoom(String room) {
        if (rooms.contains(room)) return false;
        replaceRooms(next -> next.add(room));
        return true;
    }

    /** True for the one caller that removed {@code room}; false if it was not (or no longer) there. */
    synchronized boolean removeRoom(String room) {
        if (!rooms.contains(room)) return false;
        replaceRooms(next -> next.remove(room));
        return true;
    }

    /**
     * Puts a peer that arrived from another node back in the rooms it was in there (the engine has
     * already made it a member of each); for cluster engines only.
     */
    public synchronized void restoreRooms(Collection<String> names) {
        replaceRooms(next -> next.addAll(names));
    }

    /** Publishes a changed copy of the rooms; callers hold this peer's lock. */
    private void replaceRooms(Consumer<Set<String>> change) {
        Set<String> next = new HashSet<>(rooms);
        change.accept(next);
        rooms = Set.copyOf(next);
    }

    void markDisconnected() {
        connected = false;
    }

    @Override
    public String toString() {
        return realm + "/" + id;
    }
}
