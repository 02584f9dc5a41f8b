package io.signalman.core;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
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

    /** The rooms this peer is in now (a live, read-only view). */
    public Set<String> rooms() {
        return Collections.unmodifiableSet(rooms);
    }

    void rebind(Outlet next) {
        outlet = next;
    }

    public boolean isConnected() {
        return connected;
    }

    boolean addRoom(String room) {
        return rooms.add(room);
    }

    boolean removeRoom(String room) {
        return rooms.remove(room);
    }

    /**
     * Puts a peer that arrived from another node back in the rooms it was in there (the engine has
     * already made it a member of each); for cluster engines only.
     */
    public void restoreRooms(java.util.Collection<String> names) {
        rooms.addAll(names);
    }

    void markDisconnected() {
        connected = false;
    }

    @Override
    public String toString() {
        return realm + "/" + id;
    }
}
