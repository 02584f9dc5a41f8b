package io.signalman.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.core.engine.LocalEngine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionKeeperTest {
    private static final RoomPolicy ROOMS = new RoomPolicy(10, true);

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Switchboard board = new Switchboard(new LocalEngine(), 16);

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Peer joined(String id, Outlet outlet, String room) {
        Peer peer = board.connect("t", id, outlet, Switchboard.DuplicatePolicy.REJECT);
        assertThat(board.join(peer, room, bytes("{}"), ROOMS)).isInstanceOf(JoinOutcome.Joined.class);
        return peer;
    }

    /** Peers a and b in room r; a's session "s" has lost its connection. */
    private record Lost(SessionKeeper keeper, Peer a, Peer b, RecordingOutlet first, RecordingOutlet other) {}

    private Lost lost(long windowMillis, int maxHeld) {
        SessionKeeper keeper = new SessionKeeper(board, timers, windowMillis, maxHeld, "t");
        RecordingOutlet first = new RecordingOutlet();
        RecordingOutlet other = new RecordingOutlet();
        Peer a = joined("a", first, "r");
        Peer b = joined("b", other, "r");
        keeper.open("s", a, first, null);
        assertThat(keeper.park("s", first)).isTrue();
        return new Lost(keeper, a, b, first, other);
    }

    /** Waits until the keeper's timer thread has run everything queued before now. */
    private void drainTimers() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        timers.execute(done::countDown);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aLostSessionHoldsItsEventsAndHandsThemOverInOrderOnResume() {
        SessionKeeper keeper = new SessionKeeper(board, timers, 60_000, 100, "t");
        RecordingOutlet first = new RecordingOutlet();
        RecordingOutlet other = new RecordingOutlet();
        Peer a = joined("a", first, "r");
        Peer b = joined("b", other, "r");
        keeper.open("secret", a, first, null);

        assertThat(keeper.park("secret", first)).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(board.signal(b, "a", "r", bytes("m" + i), 0)).isEqualTo(SendOutcome.DELIVERED);
        }
        assertThat(first.relayedTexts()).isEmpty();
        assertThat(other.of(Event.PeerLeft.class)).as("a loss is not announced").isEmpty();
        assertThat(keeper.waiting()).isEqualTo(1);

        RecordingOutlet second = new RecordingOutlet();
        assertThat(keeper.resume("secret", second)).isSameAs(a);
        board.signal(b, "a", "r", bytes("after"), 0);
        assertThat(second.relayedTexts()).containsExactly("m0", "m1", "m2", "m3", "m4", "after");
        assertThat(a.rooms()).containsExactly("r");
        assertThat(keeper.waiting()).isZero();
        assertThat(keeper.resume("secret", new RecordingOutlet())).as("the token stays valid for the next loss")
                .isSameAs(a);
    }

    @Test
    void presenceChangesAreHeldToo() {
        SessionKeeper keeper = new SessionKeeper(board, timers, 60_000, 100, "t");
        RecordingOutlet first = new RecordingOutlet();
        Peer a = joined("a", first, "r");
        keeper.open("s", a, first, null);
        keeper.park("s", first);
        Peer c = joined("c", new RecordingOutlet(), "r");
        board.leave(c, "r", LeaveReason.LEFT);

        RecordingOutlet second = new RecordingOutlet();
        keeper.resume("s", second);
        assertThat(second.events).hasSize(2);
        assertThat(second.events.get(0)).isInstanceOf(Event.PeerJoined.class);
        assertThat(second.events.get(1)).isInstanceOf(Event.PeerLeft.class);
    }

    @Test
    void whenTheWindowPassesTheRoomsHearTimeoutAndTheTokenIsDead() throws Exception {
        Lost lost = lost(50, 100);
        SessionKeeper keeper = lost.keeper();
        Peer a = lost.a();
        RecordingOutlet other = lost.other();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (a.isConnected() && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(a.isConnected()).isFalse();
        List<Event.PeerLeft> left = other.of(Event.PeerLeft.class);
        assertThat(left).hasSize(1);
        assertThat(left.get(0).reason()).isEqualTo(LeaveReason.TIMEOUT);
        assertThat(board.engine().find("t", "a")).isNull();
        assertThat(keeper.resume("s", new RecordingOutlet())).isNull();
        assertThat(keeper.size()).isZero();
    }

    @Test
    void overflowingTheHoldEndsTheSessionInsteadOfLosingMessagesSilently() throws Exception {
        Lost lost = lost(60_000, 3);
        SessionKeeper keeper = lost.keeper();
        Peer a = lost.a();
        Peer b = lost.b();
        RecordingOutlet other = lost.other();
        for (int i = 0; i < 4; i++) board.signal(b, "a", "r", bytes("m" + i), 0);

        assertThat(keeper.resume("s", new RecordingOutlet())).as("its held messages are gone").isNull();
        drainTimers();
        assertThat(a.isConnected()).isFalse();
        assertThat(other.of(Event.PeerLeft.class)).extracting(Event.PeerLeft::reason).containsExactly(LeaveReason.TIMEOUT);
    }

    @Test
    void aCleanCloseEndsTheSessionAndOnlyItsOwnerMayEndIt() {
        SessionKeeper keeper = new SessionKeeper(board, timers, 60_000, 10, "t");
        RecordingOutlet first = new RecordingOutlet();
        Peer a = joined("a", first, "r");
        keeper.open("s", a, first, null);

        RecordingOutlet second = new RecordingOutlet();
        assertThat(keeper.resume("s", second)).as("a live session can be taken over").isSameAs(a);
        assertThat(first.of(Event.Evicted.class)).hasSize(1);
        assertThat(keeper.close("s", first)).as("the old connection no longer owns it").isFalse();
        assertThat(keeper.park("s", first)).isFalse();
        assertThat(keeper.close("s", second)).isTrue();
        assertThat(keeper.resume("s", new RecordingOutlet())).isNull();
    }

    @Test
    void aKickWhileWaitingEndsTheSession() throws Exception {
        Lost lost = lost(60_000, 10);
        SessionKeeper keeper = lost.keeper();
        Peer a = lost.a();
        RecordingOutlet other = lost.other();
        a.outlet().deliver(new Event.Kicked("bye"));
        drainTimers();
        assertThat(a.isConnected()).isFalse();
        assertThat(other.of(Event.PeerLeft.class)).extracting(Event.PeerLeft::reason).containsExactly(LeaveReason.KICKED);
        assertThat(keeper.resume("s", new RecordingOutlet())).isNull();
    }

    @Test
    void credentialsAreKeptForTheDialectToCheck() {
        SessionKeeper keeper = new SessionKeeper(board, timers, 60_000, 10, "t");
        RecordingOutlet first = new RecordingOutlet();
        Peer a = joined("a", first, "r");
        keeper.open("s", a, first, "alice");
        assertThat(keeper.credentials("s")).isEqualTo("alice");
        assertThat(keeper.credentials("unknown")).isNull();
    }
}
