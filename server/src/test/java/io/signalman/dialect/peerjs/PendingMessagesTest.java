package io.signalman.dialect.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PendingMessagesTest {
    /** A scheduler that keeps tasks until the test runs them, with the delay they asked for. */
    private final List<Runnable> tasks = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private final PendingMessages.Scheduler scheduler = (task, delay) -> {
        tasks.add(task);
        delays.add(delay);
    };
    private final List<List<PendingMessages.Message>> expired = new CopyOnWriteArrayList<>();

    private static PendingMessages.Message message(String src, String dst, String text) {
        return new PendingMessages.Message(src, PeerjsFrames.quote(src), TextNode.valueOf(dst), PeerjsFrames.quote(dst),
                text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(PendingMessages.Message message) {
        return new String(message.frame(), StandardCharsets.UTF_8);
    }

    @Test
    void messagesWaitForTheirIdAndAreHandedOverInOrderWhenItRegisters() {
        PendingMessages pending = new PendingMessages(10, 1 << 20, 5000, expired::add);
        assertThat(pending.offer(message("a", "b", "1"), () -> false, scheduler)).isEqualTo(PendingMessages.Offer.QUEUED);
        assertThat(pending.offer(message("c", "b", "2"), () -> false, scheduler)).isEqualTo(PendingMessages.Offer.QUEUED);
        assertThat(pending.offer(message("a", "x", "3"), () -> false, scheduler)).isEqualTo(PendingMessages.Offer.QUEUED);
        assertThat(delays).containsExactly(5000L, 5000L); // one expiry per destination
        assertThat(pending.size()).isEqualTo(3);

        assertThat(pending.take(PeerjsFrames.quote("b"))).extracting(PendingMessagesTest::text)
                .containsExactly("1", "2");
        assertThat(pending.size()).isEqualTo(1);
        tasks.get(0).run(); // b's expiry finds nothing left
        assertThat(expired).isEmpty();
        assertThat(pending.take(PeerjsFrames.quote("b"))).isEmpty();
        assertThat(pending.bytes()).isEqualTo(1 + PendingMessages.OVERHEAD_BYTES);
    }

    @Test
    void aDestinationThatConnectedMeanwhileGetsTheMessageDirectly() {
        PendingMessages pending = new PendingMessages(10, 1 << 20, 5000, expired::add);
        assertThat(pending.offer(message("a", "b", "1"), () -> true, scheduler)).isEqualTo(PendingMessages.Offer.DELIVERED);
        assertThat(pending.size()).isZero();
        assertThat(tasks).isEmpty();
    }

    @Test
    void expiredMessagesGoToTheCallbackAndFreeTheirBytes() {
        PendingMessages pending = new PendingMessages(10, 1 << 20, 5000, expired::add);
        pending.offer(message("a", "ghost", "1"), () -> false, scheduler);
        pending.offer(message("a", "ghost", "2"), () -> false, scheduler);
        assertThat(pending.bytes()).isEqualTo(2 * (1 + PendingMessages.OVERHEAD_BYTES));
        tasks.get(0).run();
        assertThat(expired).singleElement().satisfies(list ->
                assertThat(list).extracting(PendingMessagesTest::text).containsExactly("1", "2"));
        assertThat(pending.size()).isZero();
        assertThat(pending.bytes()).isZero();
        // A new message for the same id starts a new queue with its own expiry.
        pending.offer(message("a", "ghost", "3"), () -> false, scheduler);
        assertThat(tasks).hasSize(2);
    }

    @Test
    void queuesAreBoundedPerIdAndInBytes() {
        PendingMessages pending = new PendingMessages(2, 3 * (10 + PendingMessages.OVERHEAD_BYTES), 5000, expired::add);
        String ten = "0123456789";
        assertThat(pending.offer(message("a", "b", ten), () -> false, scheduler)).isEqualTo(PendingMessages.Offer.QUEUED);
        assertThat(pending.offer(message("a", "b", ten), () -> false, scheduler)).isEqualTo(PendingMessages.Offer.QUEUED);
        assertThat(pending.offer(message("a", "b", ten), () -> false, scheduler)).isEqualTo(PendingMessages.Offer.REFUSED);
        assertThat(pending.offer(message("a", "c", ten), () -> false, scheduler)).isEqualTo(PendingMessages.Offer.QUEUED);
        assertThat(pending.offer(message("a", "d", "x"), () -> false, scheduler)).isEqualTo(PendingMessages.Offer.REFUSED);
        assertThat(tasks).hasSize(2); // no queue was made for the refused d
        pending.take(PeerjsFrames.quote("b"));
        assertThat(pending.offer(message("a", "d", "x"), () -> false, scheduler)).isEqualTo(PendingMessages.Offer.QUEUED);
    }

    @Test
    void aLimitOfZeroQueuesNothing() {
        PendingMessages pending = new PendingMessages(0, 1 << 20, 5000, expired::add);
        assertThat(pending.offer(message("a", "b", "1"), () -> false, scheduler)).isEqualTo(PendingMessages.Offer.REFUSED);
    }

    /**
     * The race the queue's locking closes: senders try to deliver, then queue; the destination
     * registers, then takes its queue. Every message must end up either delivered directly or in the
     * hand-over, never in a queue nobody will read.
     */
    @Test
    void noMessageIsLeftBehindWhenRegistrationRacesSenders() throws Exception {
        for (int round = 0; round < 200; round++) {
            PendingMessages pending = new PendingMessages(100_000, 1L << 30, 60_000, expired::add);
            AtomicBoolean registered = new AtomicBoolean();
            Set<String> direct = ConcurrentHashMap.newKeySet();
            List<PendingMessages.Message> handedOver = new CopyOnWriteArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                int sender = s;
                Thread thread = new Thread(() -> {
                    await(go);
                    for (int i = 0; i < 50; i++) {
                        String text = sender + ":" + i;
                        if (registered.get()) { // the fast path: the id is there
                            direct.add(text);
                            continue;
                        }
                        PendingMessages.Offer offer = pending.offer(message("s" + sender, "b", text), () -> {
                            if (!registered.get()) return false;
                            direct.add(text);
                            return true;
                        }, (task, delay) -> { });
                        assertThat(offer).isNotEqualTo(PendingMessages.Offer.REFUSED);
                    }
                });
                thread.start();
                senders.add(thread);
            }
            Thread registrar = new Thread(() -> {
                await(go);
                registered.set(true);
                handedOver.addAll(pending.take(PeerjsFrames.quote("b")));
            });
            registrar.start();
            go.countDown();
            for (Thread thread : senders) thread.join();
            registrar.join();
            assertThat(pending.size()).as("left behind in round " + round).isZero();
            assertThat(direct.size() + handedOver.size()).isEqualTo(150);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
