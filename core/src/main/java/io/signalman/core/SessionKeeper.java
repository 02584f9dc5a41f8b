package io.signalman.core;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps sessions alive across a lost transport, so that a client can come back on a new connection
 * as the same peer, in the same rooms, and receive what was sent to it meanwhile.
 *
 * <p>A session is known by a secret token that its client got when it connected. When the
 * connection is lost (not closed on purpose), the peer stays registered and in its rooms, and its
 * events are held, in order and up to a bound, for a window of time. A new connection that presents
 * the token gets the peer back and every held event, before anything newer. When the window passes,
 * or the held events overflow, the peer leaves its rooms with {@link LeaveReason#TIMEOUT}.
 *
 * <p>Wire-agnostic: the dialect decides what a clean close is and how to greet a resumed client.
 * Every method may be called from any thread; timers run on the given executor and never block.
 */
public final class SessionKeeper implements SessionSource {

    private final Switchboard switchboard;
    private final ScheduledExecutorService timers;
    private final long windowMillis;
    private final int maxHeld;
    private final String realm;
    private final ConcurrentMap<String, Kept> sessions = new ConcurrentHashMap<>();

    /**
     * @param windowMillis how long a lost session waits for its client
     * @param maxHeld      how many events a lost session may hold; one more ends it
     */
    public SessionKeeper(Switchboard switchboard, ScheduledExecutorService timers, long windowMillis, int maxHeld,
            String realm) {
        if (windowMillis <= 0) throw new IllegalArgumentException("the resume window must be positive");
        if (maxHeld < 1) throw new IllegalArgumentException("a lost session must be able to hold an event");
        this.switchboard = switchboard;
        this.timers = timers;
        this.windowMillis = windowMillis;
        this.maxHeld = maxHeld;
        this.realm = realm;
        switchboard.engine().enableSessionMoves(realm, windowMillis, maxHeld, this);
    }

    /**
     * Starts keeping the session of a newly connected peer, whose events go to {@code outlet}.
     * {@code credentials} (may be null) is whatever the dialect must check before a comeback, such
     * as the identity the peer proved.
     */
    public void open(String token, Peer peer, Outlet outlet, Object credentials) {
        sessions.put(token, new Kept(token, peer, outlet, credentials));
        switchboard.engine().sessionOpened(peer, token, credentials != null);
    }

    /** The credentials a session was opened with, or null (also for an unknown or ended session). */
    public Object credentials(String token) {
        Kept kept = sessions.get(token);
        return kept == null ? null : kept.credentials;
    }

    /**
     * The connection behind {@code outlet} was closed on purpose: the session ends now.
     *
     * @return true if that connection still owned the session, so its peer should be disconnected
     *         (false when another connection has resumed it meanwhile)
     */
    public boolean close(String token, Outlet outlet) {
        Kept kept = sessions.get(token);
        if (kept == null) return false;
        synchronized (kept) {
            if (kept.owner != outlet) return false;
            kept.ended = true;
            sessions.remove(token, kept);
        }
        switchboard.engine().sessionEnded(kept.peer, token);
        return true;
    }

    /**
     * The connection behind {@code outlet} was lost: hold the peer's events until it resumes or the
     * window passes.
     *
     * @return false if that connection no longer owned the session (nothing to do)
     */
    public boolean park(String token, Outlet outlet) {
        Kept kept = sessions.get(token);
        if (kept == null) return false;
        synchronized (kept) {
            if (kept.owner != outlet || kept.ended) return false;
            Holding holding = new Holding(kept);
            kept.owner = holding;
            kept.peer.rebind(holding);
            kept.expiry = timers.schedule(() -> expire(kept, holding), windowMillis, TimeUnit.MILLISECONDS);
            return true;
        }
    }

    /**
     * Moves a session to a new connection. Held events are handed to {@code next} first, in order;
     * a connection that still owned the session is told with {@link Event.Evicted} (its client has
     * evidently given it up) and no longer owns it.
     *
     * @return the session's peer, or null if the token is unknown or the session has ended
     */
    public Peer resume(String token, Outlet next) {
        Kept kept = sessions.get(token);
        if (kept == null) return null;
        synchronized (kept) {
            if (kept.ended || !kept.peer.isConnected()) return null;
            Outlet previous = kept.owner;
            if (previous instanceof Holding holding && holding.hasOverflowed()) {
                return null; // it ends as soon as the timer thread gets to it: its held events are gone
            }
            if (previous instanceof Holding holding) {
                if (kept.expiry != null) kept.expiry.cancel(false);
                kept.expiry = null;
                holding.releaseTo(next);
            } else {
                previous.deliver(new Event.Evicted("the session was resumed on another connection"));
            }
            kept.owner = next;
            kept.peer.rebind(next);
            return kept.peer;
        }
    }

    /**
     * Resumes a session here if this node keeps it, else takes it over from another node (or from
     * a node that died), through the engine. {@code credentials} are kept for the next comeback.
     */
    public CompletionStage<SessionAdoption> resumeAnywhere(String token, String provenId, Outlet next,
            Object credentials) {
        Peer local = resume(token, next);
        if (local != null) return CompletableFuture.completedFuture(new SessionAdoption(local, false));
        if (sessions.containsKey(token)) return CompletableFuture.completedFuture(SessionAdoption.NONE);
        return switchboard.engine().adoptSession(realm, token, provenId, next).thenApply(adoption -> {
            if (adoption.peer() != null) {
                Kept kept = new Kept(token, adoption.peer(), next, credentials);
                sessions.put(token, kept);
            }
            return adoption;
        });
    }

    @Override
    public Released release(String realmName, String token, Outlet late) {
        Kept kept = sessions.get(token);
        if (kept == null || !kept.peer.realm().equals(realmName)) return null;
        List<Event> held = List.of();
        synchronized (kept) {
            if (kept.ended || !kept.peer.isConnected()) return null;
            kept.ended = true;
            sessions.remove(token, kept);
            if (kept.expiry != null) kept.expiry.cancel(false);
            if (kept.owner instanceof Holding holding) {
                if (holding.hasOverflowed()) return null;
                held = holding.handOver(late);
            } else {
                kept.owner.deliver(new Event.Evicted("the session was resumed on another node"));
            }
            kept.owner = late;
            kept.peer.rebind(late);
            kept.peer.markDisconnected(); // no longer this node's: nothing here may end it or use it
        }
        return new Released(kept.peer, held);
    }

    @Override
    public List<SessionSource.Kept> sessions() {
        List<SessionSource.Kept> list = new java.util.ArrayList<>();
        for (Kept kept : sessions.values()) {
            list.add(new SessionSource.Kept(kept.token, kept.peer, kept.credentials != null));
        }
        return list;
    }

    /** How many sessions are kept now, connected or waiting for their client. */
    public int size() {
        return sessions.size();
    }

    /** How many sessions wait for their client now. */
    public int waiting() {
        int count = 0;
        for (Kept kept : sessions.values()) {
            if (kept.owner instanceof Holding) count++;
        }
        return count;
    }

    private void expire(Kept kept, Holding holding) {
        synchronized (kept) {
            if (kept.owner != holding || kept.ended) return;
            kept.ended = true;
            sessions.remove(kept.token, kept);
        }
        switchboard.disconnect(kept.peer, LeaveReason.TIMEOUT);
        switchboard.engine().sessionEnded(kept.peer, kept.token);
    }

    /** Ends a waiting session ahead of its window (an overflow or a kick); never on the caller's thread. */
    private void endSoon(Kept kept, Holding holding, LeaveReason reason) {
        timers.execute(() -> {
            synchronized (kept) {
                if (kept.owner != holding || kept.ended) return;
                kept.ended = true;
                if (kept.expiry != null) kept.expiry.cancel(false);
                sessions.remove(kept.token, kept);
            }
            switchboard.disconnect(kept.peer, reason);
            switchboard.engine().sessionEnded(kept.peer, kept.token);
        });
    }

    private static final class Kept {
        final String token;
        final Peer peer;
        final Object credentials;
        Outlet owner;
        ScheduledFuture<?> expiry;
        boolean ended;

        Kept(String token, Peer peer, Outlet owner, Object credentials) {
            this.token = token;
            this.peer = peer;
            this.credentials = credentials;
            this.owner = owner;
        }
    }

    /**
     * The outlet of a session without a connection. After {@link #releaseTo} it forwards, so that an
     * event that picked this outlet just before the new one was bound still arrives, and in order.
     */
    private final class Holding implements Outlet {
        private final Kept kept;
        private final ArrayDeque<Event> held = new ArrayDeque<>();
        private Outlet next;
        private boolean overflowed;

        Holding(Kept kept) {
            this.kept = kept;
        }

        @Override
        public synchronized void deliver(Event event) {
            if (next != null) {
                next.deliver(event);
                return;
            }
            if (overflowed || event instanceof Event.GoingAway) return;
            if (event instanceof Event.Kicked) {
                overflowed = true; // hold nothing more: the session is over
                endSoon(kept, this, LeaveReason.KICKED);
                return;
            }
            if (held.size() >= maxHeld) {
                overflowed = true;
                held.clear();
                endSoon(kept, this, LeaveReason.TIMEOUT);
                return;
            }
            held.add(event);
        }

        synchronized boolean hasOverflowed() {
            return overflowed;
        }

        /** The held events, oldest first; from now on events go to {@code late}. */
        synchronized List<Event> handOver(Outlet late) {
            List<Event> list = List.copyOf(held);
            held.clear();
            next = late;
            return list;
        }

        synchronized void releaseTo(Outlet outlet) {
            for (Event event : held) outlet.deliver(event);
            held.clear();
            next = outlet;
        }
    }
}
