package io.signalman.core.engine;

import io.signalman.core.Event;
import io.signalman.core.Member;
import io.signalman.core.Peer;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One room's members as the engines keep them, single-node and clustered alike. The array of
 * members is replaced, never changed, so that relays iterate it without a lock; joins and leaves
 * change it while holding this object's monitor, and hand out their presence events under it too, so
 * that every member sees joins and leaves in one order. A room emptied and unlinked from its realm is
 * marked closed, so that a join that found it just before retries with a fresh one.
 */
public final class RoomMembers {
    /**
     * A member: who it is, the node it is connected to (the cluster's node id; null on a single node),
     * and its peer when that node is this one (null otherwise).
     */
    public record Slot(Member member, String node, Peer local) {}

    private static final Slot[] EMPTY = new Slot[0];

    private final String name;
    private final int capacity;
    private final boolean announces;
    private volatile Slot[] slots = EMPTY;
    private boolean closed;

    public RoomMembers(String name, int capacity, boolean announces) {
        this.name = name;
        this.capacity = capacity;
        this.announces = announces;
    }

    public String name() {
        return name;
    }

    /** Most members the room holds (fixed when the room is made). */
    public int capacity() {
        return capacity;
    }

    /** Whether joins and leaves are announced to the other members. */
    public boolean announces() {
        return announces;
    }

    /** The members now; the array must not be changed (it is shared with every reader). */
    public Slot[] slots() {
        return slots;
    }

    public int size() {
        return slots.length;
    }

    /** Whether the room was emptied and unlinked; read and set under the monitor. */
    public boolean isClosed() {
        return closed;
    }

    public void close() {
        closed = true;
    }

    /** The position of a peer among the members, or -1. */
    public int indexOf(String peerId) {
        Slot[] current = slots;
        for (int i = 0; i < current.length; i++) {
            if (current[i].member().peer().equals(peerId)) return i;
        }
        return -1;
    }

    public void add(Slot slot) {
        Slot[] old = slots;
        Slot[] next = Arrays.copyOf(old, old.length + 1);
        next[old.length] = slot;
        slots = next;
    }

    public void replace(int index, Slot slot) {
        Slot[] next = slots.clone();
        next[index] = slot;
        slots = next;
    }

    public void remove(int index) {
        Slot[] old = slots;
        Slot[] next = new Slot[old.length - 1];
        System.arraycopy(old, 0, next, 0, index);
        System.arraycopy(old, index + 1, next, index, old.length - index - 1);
        slots = next;
    }

    /** The members' public side, in join order. */
    public List<Member> roster() {
        Slot[] current = slots;
        Member[] list = new Member[current.length];
        for (int i = 0; i < current.length; i++) list[i] = current[i].member();
        return Collections.unmodifiableList(Arrays.asList(list));
    }

    /** Hands an event to the members on this node but {@code exceptPeer}; returns how many it reached. */
    public int publishLocal(Event event, String exceptPeer) {
        int count = 0;
        for (Slot slot : slots) {
            if (slot.local() == null || (exceptPeer != null && exceptPeer.equals(slot.member().peer()))) continue;
            slot.local().outlet().deliver(event);
            count++;
        }
        return count;
    }
}
