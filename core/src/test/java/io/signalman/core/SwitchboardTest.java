package io.signalman.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.core.engine.LocalEngine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SwitchboardTest {

    private final Switchboard board = new Switchboard(new LocalEngine(), 16);
    private static final RoomPolicy ROOMS = new RoomPolicy(3, true);

    private Peer peer(String id, RecordingOutlet outlet) {
        return board.connect("test", id, outlet, Switchboard.DuplicatePolicy.REJECT);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roomIsCreatedOnFirstJoinAndRemovedWhenEmpty() {
        RecordingOutlet oa = new RecordingOutlet();
        Peer a = peer("a", oa);
        JoinOutcome outcome = board.join(a, "r", bytes("{}"), ROOMS);
        assertThat(outcome).isInstanceOf(JoinOutcome.Joined.class);
        assertThat(((JoinOutcome.Joined) outcome).others()).isEmpty();
        assertThat(board.engine().roomCount("test")).isEqualTo(1);

        assertThat(board.leave(a, "r", LeaveReason.LEFT)).isEmpty();
        assertThat(board.engine().roomCount("test")).isZero();
        assertThat(board.leave(a, "r", LeaveReason.LEFT)).isNull();
    }

    @Test
    void membersHearJoinsAndLeavesInOrderButNotTheirOwn() {
        RecordingOutlet oa = new RecordingOutlet();
        RecordingOutlet ob = new RecordingOutlet();
        Peer a = peer("a", oa);
        Peer b = peer("b", ob);
        board.join(a, "r", bytes("{\"n\":1}"), ROOMS);
        JoinOutcome.Joined joined = (JoinOutcome.Joined) board.join(b, "r", bytes("{}"), ROOMS);

        assertThat(joined.others()).extracting(Member::peer).containsExactly("a");
        assertThat(new String(joined.others().get(0).meta())).isEqualTo("{\"n\":1}");
        assertThat(oa.of(Event.PeerJoined.class)).singleElement()
                .satisfies(e -> assertThat(e.member().peer()).isEqualTo("b"));
        assertThat(ob.events).isEmpty();

        board.disconnect(b, LeaveReason.DISCONNECTED);
        Event.PeerLeft left = oa.of(Event.PeerLeft.class).get(0);
        assertThat(left.member().peer()).isEqualTo("b");
        assertThat(left.reason()).isEqualTo(LeaveReason.DISCONNECTED);
        assertThat(left.roster()).extracting(Member::peer).containsExactly("a");
        assertThat(board.engine().find("test", "b")).isNull();
    }

    @Test
    void capacityIsEnforcedAndJoiningTwiceIsRefused() {
        Peer a = peer("a", new RecordingOutlet());
        board.join(a, "r", null, ROOMS);
        assertThat(board.join(a, "r", null, ROOMS)).isInstanceOf(JoinOutcome.AlreadyIn.class);
        board.join(peer("b", new RecordingOutlet()), "r", null, ROOMS);
        board.join(peer("c", new RecordingOutlet()), "r", null, ROOMS);
        assertThat(board.join(peer("d", new RecordingOutlet()), "r", null, ROOMS))
                .isEqualTo(new JoinOutcome.Full(3));
    }

    @Test
    void roomsPerPeerAreLimited() {
        Switchboard small = new Switchboard(new LocalEngine(), 2);
        Peer a = small.connect("t", "a", new RecordingOutlet(), Switchboard.DuplicatePolicy.REJECT);
        small.join(a, "1", null, ROOMS);
        small.join(a, "2", null, ROOMS);
        assertThat(small.join(a, "3", null, ROOMS)).isEqualTo(new JoinOutcome.TooManyRooms(2));
    }

    @Test
    void signalsReachOnlyPeersThatShareARoom() {
        RecordingOutlet ob = new RecordingOutlet();
        RecordingOutlet oc = new RecordingOutlet();
        Peer a = peer("a", new RecordingOutlet());
        Peer b = peer("b", ob);
        Peer c = peer("c", oc);
        board.join(a, "one", null, ROOMS);
        board.join(b, "one", null, ROOMS);
        board.join(c, "two", null, ROOMS);

        assertThat(board.signal(a, "b", null, bytes("1"), 0)).isEqualTo(SendOutcome.DELIVERED);
        assertThat(board.signal(a, "b", "one", bytes("2"), 0)).isEqualTo(SendOutcome.DELIVERED);
        assertThat(board.signal(a, "c", null, bytes("x"), 0)).isEqualTo(SendOutcome.PEER_UNAVAILABLE);
        assertThat(board.signal(a, "c", "two", bytes("x"), 0)).isEqualTo(SendOutcome.NOT_IN_ROOM);
        assertThat(board.signal(a, "nobody", null, bytes("x"), 0)).isEqualTo(SendOutcome.PEER_UNAVAILABLE);
        assertThat(board.signal(a, "a", null, bytes("x"), 0)).isEqualTo(SendOutcome.SELF);

        assertThat(ob.relayedTexts()).containsExactly("1", "2");
        assertThat(ob.of(Event.Relayed.class).get(1).room()).isEqualTo("one");
        assertThat(oc.events).isEmpty();
    }

    @Test
    void broadcastReachesEveryOtherMemberOfThatRoomOnly() {
        RecordingOutlet oa = new RecordingOutlet();
        RecordingOutlet ob = new RecordingOutlet();
        RecordingOutlet oc = new RecordingOutlet();
        RecordingOutlet od = new RecordingOutlet();
        Peer a = peer("a", oa);
        board.join(a, "r", null, ROOMS);
        board.join(peer("b", ob), "r", null, ROOMS);
        board.join(peer("c", oc), "r", null, ROOMS);
        board.join(peer("d", od), "elsewhere", null, ROOMS);

        assertThat(board.broadcast(a, "r", bytes("hi"), 0)).isEqualTo(SendOutcome.DELIVERED);
        assertThat(board.broadcast(a, "elsewhere", bytes("no"), 0)).isEqualTo(SendOutcome.NOT_IN_ROOM);

        assertThat(oa.relayedTexts()).isEmpty();
        assertThat(ob.relayedTexts()).containsExactly("hi");
        assertThat(oc.relayedTexts()).containsExactly("hi");
        assertThat(od.events).isEmpty();
    }

    @Test
    void duplicateIdsAreRejectedOrReplaced() {
        RecordingOutlet first = new RecordingOutlet();
        RecordingOutlet other = new RecordingOutlet();
        Peer a = peer("a", first);
        board.join(a, "r", null, ROOMS);
        board.join(peer("o", other), "r", null, ROOMS);

        assertThat(board.connect("test", "a", new RecordingOutlet(), Switchboard.DuplicatePolicy.REJECT)).isNull();

        RecordingOutlet second = new RecordingOutlet();
        Peer a2 = board.connect("test", "a", second, Switchboard.DuplicatePolicy.REPLACE);
        assertThat(a2).isNotNull().isNotSameAs(a);
        assertThat(first.of(Event.Evicted.class)).hasSize(1);
        assertThat(other.of(Event.PeerLeft.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo(LeaveReason.KICKED));
        assertThat(board.engine().find("test", "a")).isSameAs(a2);
        assertThat(a.isConnected()).isFalse();
    }

    @Test
    void realmsAreSeparateIdSpaces() {
        RecordingOutlet ox = new RecordingOutlet();
        Peer a = board.connect("x", "a", new RecordingOutlet(), Switchboard.DuplicatePolicy.REJECT);
        Peer ax = board.connect("y", "a", ox, Switchboard.DuplicatePolicy.REJECT);
        assertThat(ax).isNotNull();
        board.join(a, "r", null, ROOMS);
        board.join(ax, "r", null, ROOMS);
        assertThat(ox.events).isEmpty();
        assertThat(board.send(a, "a", bytes("self"), 0)).isEqualTo(SendOutcome.DELIVERED);
        assertThat(ox.events).isEmpty();
    }

    @Test
    void joinAndLeaveManyTimesLeavesNothingBehind() {
        RecordingOutlet ob = new RecordingOutlet();
        Peer a = peer("a", new RecordingOutlet());
        board.join(peer("b", ob), "r", null, ROOMS);
        for (int i = 0; i < 1000; i++) {
            assertThat(board.join(a, "r", null, ROOMS)).isInstanceOf(JoinOutcome.Joined.class);
            assertThat(board.leave(a, "r", LeaveReason.LEFT)).extracting(Member::peer).containsExactly("b");
        }
        assertThat(ob.of(Event.PeerJoined.class)).hasSize(1000);
        assertThat(ob.of(Event.PeerLeft.class)).hasSize(1000);
        assertThat(a.rooms()).isEmpty();
        assertThat(board.engine().roster("test", "r")).extracting(Member::peer).containsExactly("b");
    }

    @Test
    void concurrentJoinsNeverExceedCapacityAndEveryoneSeesOneOrder() throws Exception {
        int peers = 40;
        RoomPolicy policy = new RoomPolicy(25, true);
        RecordingOutlet[] outlets = new RecordingOutlet[peers];
        Peer[] all = new Peer[peers];
        for (int i = 0; i < peers; i++) {
            outlets[i] = new RecordingOutlet();
            all[i] = peer("p" + i, outlets[i]);
        }
        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger joined = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < peers; i++) {
            Peer p = all[i];
            Thread thread = new Thread(() -> {
                if (board.join(p, "busy", null, policy) instanceof JoinOutcome.Joined) joined.incrementAndGet();
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) t.join();
        assertThat(joined.get()).isEqualTo(25);
        List<Member> roster = board.engine().roster("test", "busy");
        assertThat(roster).hasSize(25);
        // each member was told of exactly the members that joined after it, in roster order
        for (int i = 0; i < roster.size(); i++) {
            int index = Integer.parseInt(roster.get(i).peer().substring(1));
            List<String> heard = outlets[index].of(Event.PeerJoined.class).stream()
                    .map(e -> e.member().peer()).toList();
            assertThat(heard).containsExactlyElementsOf(
                    roster.subList(i + 1, roster.size()).stream().map(Member::peer).toList());
        }
    }

    @Test
    void aHolderIsReplacedOnlyWhenThePredicateAgrees() {
        RecordingOutlet first = new RecordingOutlet();
        Peer holder = board.connect("test", "x", first, h -> false);
        assertThat(board.connect("test", "x", new RecordingOutlet(), h -> h.outlet() != first)).isNull();
        assertThat(board.engine().find("test", "x")).isSameAs(holder);
        assertThat(first.events).isEmpty();

        RecordingOutlet second = new RecordingOutlet();
        Peer newcomer = board.connect("test", "x", second, h -> h.outlet() == first);
        assertThat(newcomer).isNotNull();
        assertThat(board.engine().find("test", "x")).isSameAs(newcomer);
        assertThat(first.of(Event.Evicted.class)).hasSize(1);
        assertThat(holder.isConnected()).isFalse();
    }

    @Test
    void peerIdsListTheRealmsConnectedPeers() {
        Peer a = peer("a", new RecordingOutlet());
        peer("b", new RecordingOutlet());
        board.connect("other", "c", new RecordingOutlet(), Switchboard.DuplicatePolicy.REJECT);
        assertThat(board.engine().peerIds("test")).containsExactlyInAnyOrder("a", "b");
        board.disconnect(a, LeaveReason.DISCONNECTED);
        assertThat(board.engine().peerIds("test")).containsExactly("b");
        assertThat(board.engine().peerIds("empty")).isEmpty();
    }
}
