package io.signalman.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.signalman.core.engine.LocalEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many peers in many rooms do random things (join, leave, signal with and without a room, broadcast,
 * disconnect, reconnect); after every step, every payload that reached a peer must come from a
 * peer it shared a room with at that moment, and for the room it was sent to. The core delivers
 * synchronously, so "at that moment" is exact here; NativeIsolationTest checks the same over sockets.
 */
class RoomIsolationTest {
    private static final int PEERS = 60;
    private static final int ROOMS = 12;
    private static final int STEPS = 20_000;
    private static final RoomPolicy POLICY = new RoomPolicy(8, true);

    /** What each peer was sent, checked and cleared after every step. */
    private static final class Inbox implements Outlet {
        final List<Event.Relayed> relayed = new ArrayList<>();

        @Override
        public void deliver(Event event) {
            if (event instanceof Event.Relayed r) relayed.add(r);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 20261204, 0x5EED})
    void noPayloadEverCrossesARoomBoundary(long seed) {
        Random random = new Random(seed);
        Switchboard board = new Switchboard(new LocalEngine(), 4);
        Map<String, Peer> peers = new HashMap<>();
        Map<String, Inbox> inboxes = new HashMap<>();
        /** The test's own model of membership, kept apart from the engine's. */
        Map<String, Set<String>> model = new HashMap<>();
        int delivered = 0;

        for (int step = 0; step < STEPS; step++) {
            String id = "p" + random.nextInt(PEERS);
            Peer peer = peers.get(id);
            if (peer == null) {
                Inbox inbox = new Inbox();
                peer = board.connect("iso", id, inbox, Switchboard.DuplicatePolicy.REJECT);
                assertThat(peer).isNotNull();
                peers.put(id, peer);
                inboxes.put(id, inbox);
                model.put(id, new HashSet<>());
                continue;
            }
            String room = "r" + random.nextInt(ROOMS);
            String target = "p" + random.nextInt(PEERS);
            byte[] payload = (id + "|" + room + "|" + step).getBytes(StandardCharsets.UTF_8);
            int op = random.nextInt(100);
            if (op < 25) {
                if (board.join(peer, room, null, POLICY) instanceof JoinOutcome.Joined) model.get(id).add(room);
            } else if (op < 40) {
                if (board.leave(peer, room, LeaveReason.LEFT) != null) model.get(id).remove(room);
            } else if (op < 65) {
                board.signal(peer, target, room, payload, 0);
            } else if (op < 80) {
                board.signal(peer, target, null, payload, 0);
            } else if (op < 97) {
                board.broadcast(peer, room, payload, 0);
            } else {
                board.disconnect(peer, LeaveReason.DISCONNECTED);
                peers.remove(id);
                inboxes.remove(id);
                model.remove(id);
            }
            for (Map.Entry<String, Inbox> entry : inboxes.entrySet()) {
                for (Event.Relayed relayed : entry.getValue().relayed) {
                    check(entry.getKey(), relayed, model, step);
                    delivered++;
                }
                entry.getValue().relayed.clear();
            }
        }
        assertThat(delivered).as("the walk must actually relay things").isGreaterThan(STEPS / 10);
    }

    private static void check(String receiver, Event.Relayed relayed, Map<String, Set<String>> model, int step) {
        String[] parts = new String(relayed.payload(), StandardCharsets.UTF_8).split("\\|");
        String sender = parts[0];
        if (!sender.equals(relayed.from())) fail("step " + step + ": payload of " + sender + " labelled " + relayed.from());
        if (sender.equals(receiver)) fail("step " + step + ": " + receiver + " got its own payload back");
        Set<String> senderRooms = model.getOrDefault(sender, Set.of());
        Set<String> receiverRooms = model.getOrDefault(receiver, Set.of());
        if (relayed.room() != null) {
            if (!relayed.room().equals(parts[1])) fail("step " + step + ": sent to " + parts[1] + ", labelled " + relayed.room());
            if (!senderRooms.contains(relayed.room()) || !receiverRooms.contains(relayed.room())) {
                fail("step " + step + ": " + sender + " reached " + receiver + " through room " + relayed.room()
                        + " (sender in " + senderRooms + ", receiver in " + receiverRooms + ")");
            }
        } else if (senderRooms.stream().noneMatch(receiverRooms::contains)) {
            fail("step " + step + ": " + sender + " reached " + receiver + " without a shared room");
        }
    }
}
