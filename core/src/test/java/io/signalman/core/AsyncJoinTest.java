package io.signalman.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.core.engine.LocalEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** {@link Switchboard#joinAsync} over an engine that answers joins later, as a cluster engine does. */
class AsyncJoinTest {
    private static final RoomPolicy ROOMS = new RoomPolicy(3, true);

    /** A single-node engine whose joinAsync completes only when the test says so. */
    private static final class DeferredJoins implements Engine {
        final LocalEngine local = new LocalEngine();
        final List<Runnable> pending = new ArrayList<>();

        @Override
        public CompletionStage<JoinOutcome> joinAsync(Peer peer, String room, byte[] meta, RoomPolicy policy) {
            CompletableFuture<JoinOutcome> result = new CompletableFuture<>();
            pending.add(() -> result.complete(local.join(peer, room, meta, policy)));
            return result;
        }

        void answerAll() {
            List<Runnable> now = List.copyOf(pending);
            pending.clear();
            now.forEach(Runnable::run);
        }

        public Peer attach(Peer peer) { return local.attach(peer); }
        public boolean detach(Peer peer) { return local.detach(peer); }
        public Peer find(String realm, String id) { return local.find(realm, id); }
        public boolean deliver(String realm, String peerId, Event event) { return local.deliver(realm, peerId, event); }
        public JoinOutcome join(Peer peer, String room, byte[] meta, RoomPolicy policy) { return local.join(peer, room, meta, policy); }
        public List<Member> leave(Peer peer, String room, LeaveReason reason) { return local.leave(peer, room, reason); }
        public int publish(String realm, String room, Event event, String exceptPeer) { return local.publish(realm, room, event, exceptPeer); }
        public boolean isMember(String realm, String room, String peerId) { return local.isMember(realm, room, peerId); }
        public List<Member> roster(String realm, String room) { return local.roster(realm, room); }
        public List<String> rooms(String realm) { return local.rooms(realm); }
        public int roomCount(String realm) { return local.roomCount(realm); }
        public int peerCount(String realm) { return local.peerCount(realm); }
        public List<String> peerIds(String realm) { return local.peerIds(realm); }
    }

    @Test
    void theDefaultAnswersAtOnceAsJoinDoes() {
        Switchboard board = new Switchboard(new LocalEngine(), 8);
        Peer a = board.connect("t", "a", new RecordingOutlet(), Switchboard.DuplicatePolicy.REJECT);
        CompletableFuture<JoinOutcome> joined = board.joinAsync(a, "r", null, new RoomPolicy(1, true)).toCompletableFuture();
        assertThat(joined).isCompletedWithValueMatching(o -> o instanceof JoinOutcome.Joined);
        assertThat(a.rooms()).containsExactly("r");
        Peer b = board.connect("t", "b", new RecordingOutlet(), Switchboard.DuplicatePolicy.REJECT);
        assertThat(board.joinAsync(b, "r", null, new RoomPolicy(1, true)).toCompletableFuture())
                .isCompletedWithValue(new JoinOutcome.Full(1));
        assertThat(board.joinAsync(a, "r", null, ROOMS).toCompletableFuture()).isCompletedWithValue(new JoinOutcome.AlreadyIn());
    }

    @Test
    void thePeerIsInTheRoomOnlyOnceTheEngineAnswers() {
        DeferredJoins engine = new DeferredJoins();
        Switchboard board = new Switchboard(engine, 8);
        Peer a = board.connect("t", "a", new RecordingOutlet(), Switchboard.DuplicatePolicy.REJECT);
        CompletableFuture<JoinOutcome> joined = board.joinAsync(a, "r", null, ROOMS).toCompletableFuture();
        assertThat(joined).isNotDone();
        assertThat(a.rooms()).isEmpty();
        engine.answerAll();
        assertThat(joined).isCompletedWithValueMatching(o -> o instanceof JoinOutcome.Joined);
        assertThat(a.rooms()).containsExactly("r");
    }

    @Test
    void aPeerThatDisconnectsWhileItsJoinIsPendingLeavesTheRoomAgain() {
        DeferredJoins engine = new DeferredJoins();
        Switchboard board = new Switchboard(engine, 8);
        RecordingOutlet watcher = new RecordingOutlet();
        Peer w = board.connect("t", "w", watcher, Switchboard.DuplicatePolicy.REJECT);
        board.join(w, "r", null, ROOMS);
        Peer a = board.connect("t", "a", new RecordingOutlet(), Switchboard.DuplicatePolicy.REJECT);
        CompletableFuture<JoinOutcome> joined = board.joinAsync(a, "r", null, ROOMS).toCompletableFuture();
        board.disconnect(a, LeaveReason.DISCONNECTED);
        engine.answerAll();
        assertThat(joined).isCompletedWithValueMatching(o -> o instanceof JoinOutcome.Joined);
        assertThat(engine.roster("t", "r")).extracting(Member::peer).containsExactly("w");
        assertThat(a.rooms()).isEmpty();
        assertThat(watcher.of(Event.PeerLeft.class)).singleElement()
                .satisfies(left -> assertThat(left.reason()).isEqualTo(LeaveReason.DISCONNECTED));
    }
}
