package io.signalman.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalman.core.Event;
import io.signalman.core.Member;
import io.signalman.core.Outlet;
import io.signalman.core.Peer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoomMembersTest {
    private final List<String> delivered = new ArrayList<>();

    private Peer peer(String id) {
        Outlet outlet = event -> delivered.add(id);
        return new Peer("realm", id, outlet);
    }

    private static Member member(String id) {
        return new Member(id, new byte[0]);
    }

    @Test
    void membersKeepJoinOrderAndChangesReplaceTheArrayReadersHold() {
        RoomMembers room = new RoomMembers("r", 3, true);
        room.add(new RoomMembers.Slot(member("a"), null, peer("a")));
        room.add(new RoomMembers.Slot(member("b"), "node-2", null));
        RoomMembers.Slot[] held = room.slots();
        room.add(new RoomMembers.Slot(member("c"), null, peer("c")));
        room.remove(room.indexOf("a"));
        assertThat(held).hasSize(2);
        assertThat(room.roster()).extracting(Member::peer).containsExactly("b", "c");
        assertThat(room.indexOf("a")).isEqualTo(-1);
        assertThat(room.size()).isEqualTo(2);
        room.replace(0, new RoomMembers.Slot(member("b"), "node-3", null));
        assertThat(room.slots()[0].node()).isEqualTo("node-3");
        assertThat(held[1].node()).isEqualTo("node-2");
    }

    @Test
    void publishReachesOnlyLocalMembersButTheOneExcepted() {
        RoomMembers room = new RoomMembers("r", 10, false);
        room.add(new RoomMembers.Slot(member("a"), null, peer("a")));
        room.add(new RoomMembers.Slot(member("remote"), "node-2", null));
        room.add(new RoomMembers.Slot(member("b"), null, peer("b")));
        room.add(new RoomMembers.Slot(member("c"), null, peer("c")));
        int reached = room.publishLocal(new Event.Evicted("test"), "b");
        assertThat(reached).isEqualTo(2);
        assertThat(delivered).containsExactly("a", "c");
        assertThat(room.capacity()).isEqualTo(10);
        assertThat(room.announces()).isFalse();
    }

    @Test
    void aClosedRoomSaysSo() {
        RoomMembers room = new RoomMembers("r", 1, true);
        assertThat(room.isClosed()).isFalse();
        room.close();
        assertThat(room.isClosed()).isTrue();
    }
}
