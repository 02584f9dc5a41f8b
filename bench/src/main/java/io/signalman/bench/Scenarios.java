package io.signalman.bench;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The four load scenarios. Each returns the result fields of one run; {@link BenchMain} adds the
 * options, the server's /proc figures and the load average and prints them as one JSON line.
 */
final class Scenarios {
    private Scenarios() {}

    /** Ids unique per process run, so that repeated runs against one server never collide. */
    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    static Map<String, Object> run(Options o, Generator generator) throws InterruptedException {
        return switch (o.scenario()) {
            case "conns" -> conns(o, generator, null);
            case "throughput" -> throughput(o, generator);
            case "latency" -> latency(o, generator);
            case "churn" -> churn(o, generator);
            default -> throw new IllegalArgumentException("unknown scenario " + o.scenario()
                    + " (conns, throughput, latency, churn)");
        };
    }

    /** Counts ready clients and relays; subclasses of the scenarios hook in through {@link #onRelay}. */
    private static class Tracker implements Client.Events {
        final AtomicInteger readyCount = new AtomicInteger();
        final AtomicInteger closedCount = new AtomicInteger();
        /** Clients that ended before they were ready, and the first reason heard. */
        final AtomicInteger failedCount = new AtomicInteger();
        volatile String firstFailure;
        final AtomicLong delivered = new AtomicLong();
        volatile CountDownLatch allReady;
        /** Connect permits while connecting: released when a client is ready or gone. */
        volatile Semaphore permits;

        @Override
        public void ready(Client client) {
            readyCount.incrementAndGet();
            Semaphore p = permits;
            if (p != null) p.release();
            CountDownLatch latch = allReady;
            if (latch != null) latch.countDown();
        }

        @Override
        public void relay(Client client, long stamp, long pairKey) {
            delivered.incrementAndGet();
            onRelay(client, stamp, pairKey);
        }

        void onRelay(Client client, long stamp, long pairKey) {}

        @Override
        public void closed(Client client) {
            closedCount.incrementAndGet();
            if (client.ready) return;
            failedCount.incrementAndGet();
            if (firstFailure == null) firstFailure = client.failure();
            Semaphore p = permits;
            if (p != null) p.release();
            // A client that will never be ready must not hold the run until the deadline.
            CountDownLatch latch = allReady;
            if (latch != null) latch.countDown();
        }
    }

    /** Makes {@code 2 * pairs} clients, partners {@code 2k} and {@code 2k+1}. */
    private static List<Client> pairs(Options o, Adapter adapter, Client.Events events, int pairs, String prefix) {
        List<Client> clients = new ArrayList<>(pairs * 2);
        for (int i = 0; i < pairs * 2; i++) {
            clients.add(new Client(adapter, events, i, prefix + RUN + "-" + i, i / 2, prefix + RUN + "-p" + i / 2));
        }
        for (int i = 0; i < clients.size(); i++) clients.get(i).partner = clients.get(i ^ 1);
        return clients;
    }

    /**
     * Connects every client with at most {@code inFlight} handshakes pending and waits until all are
     * ready (or {@code timeoutSeconds} pass).
     *
     * @return how many became ready
     */
    private static int connectAll(Options o, Generator generator, Tracker tracker, List<Client> clients, int inFlight,
            double timeoutSeconds) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(clients.size());
        Semaphore permits = new Semaphore(inFlight);
        tracker.permits = permits;
        tracker.allReady = latch;
        long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        for (Client client : clients) {
            if (!permits.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) break;
            generator.connect(o.urlFor(client.index), client);
        }
        latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        tracker.permits = null;
        return tracker.readyCount.get();
    }

    private static IllegalStateException notAllReady(Tracker tracker, int ready, int all) {
        String why = tracker.firstFailure == null ? "" : "; first failure: " + tracker.firstFailure;
        return new IllegalStateException(ready + " of " + all + " clients ready" + why);
    }

    private static Map<String, Object> fields() {
        return new LinkedHashMap<>();
    }

    /** A hook for running several processes: called once all connections are ready, before the hold. */
    interface HoldingHook {
        void holding(int ready) throws InterruptedException;
    }

    /**
     * A client of {@code conns}: its own "pair", in a room of its own, never relaying. Its partner
     * never connects; protocols that pair clients (pair) wait in a room of their own.
     */
    private static Client loneClient(Options o, Adapter adapter, Tracker tracker, String prefix, int i) {
        String id = prefix + RUN + "-" + o.firstSource() + "-" + i;
        Client client = new Client(adapter, tracker, i, id, i, id);
        client.partner = new Client(adapter, tracker, -1, id + "-r", i, id);
        return client;
    }

    /**
     * Before {@code conns} measures: connects and closes batches of clients for the warm-up time, so
     * that what the server (and the generator) compile and allocate once, on their first connections,
     * is not counted against the connections measured. Both servers of a comparison get the same.
     *
     * @return how many connections were made and closed
     */
    private static int warmConnects(Options o, Generator generator, Adapter adapter) throws InterruptedException {
        long end = System.nanoTime() + (long) (o.warmupSeconds() * 1e9);
        int made = 0;
        int batch = Math.max(1, Math.min(o.conns(), o.concurrency() * 4));
        while (System.nanoTime() < end) {
            Tracker tracker = new Tracker();
            List<Client> clients = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) clients.add(loneClient(o, adapter, tracker, "w", made + i));
            made += connectAll(o, generator, tracker, clients, o.concurrency(), 30);
            clients.forEach(Client::close);
            for (int i = 0; i < 100 && tracker.closedCount.get() < clients.size(); i++) Thread.sleep(20);
        }
        if (made > 0) Thread.sleep(1000); // the server's side of the closes
        return made;
    }

    /**
     * Opens N connections, each registered (and joined to a room of its own where the protocol has
     * rooms), holds them, and reports the connect rate and the server's RSS per connection.
     */
    static Map<String, Object> conns(Options o, Generator generator, HoldingHook hook) throws InterruptedException {
        Adapter adapter = Adapter.of(o.adapter());
        Tracker tracker = new Tracker();
        List<Client> clients = new ArrayList<>(o.conns());
        for (int i = 0; i < o.conns(); i++) clients.add(loneClient(o, adapter, tracker, "n", i));
        int warmupConnects = warmConnects(o, generator, adapter);
        System.gc();
        ProcStats before = ProcStats.read(o.serverPid());
        long start = System.nanoTime();
        int ready = connectAll(o, generator, tracker, clients, o.concurrency(), Math.max(60, o.conns() / 100.0));
        long elapsed = System.nanoTime() - start;
        if (hook != null) hook.holding(ready);
        // Let the server settle (buffers released, timers armed) before sampling its memory.
        Thread.sleep((long) (Math.min(o.holdSeconds(), 5) * 1000));
        ProcStats holding = ProcStats.read(o.serverPid());
        Thread.sleep((long) (Math.max(0, o.holdSeconds() - 5) * 1000));
        int stillOpen = (int) clients.stream().filter(c -> c.channel != null && c.channel.isActive()).count();
        clients.forEach(Client::close);
        Map<String, Object> r = fields();
        r.put("warmup_connects", warmupConnects);
        r.put("connections", o.conns());
        r.put("ready", ready);
        r.put("failed", tracker.failedCount.get());
        if (tracker.firstFailure != null) r.put("first_failure", tracker.firstFailure);
        r.put("open_after_hold", stillOpen);
        r.put("connect_seconds", elapsed / 1e9);
        r.put("connects_per_s", ready / (elapsed / 1e9));
        r.put("server_rss_before_kb", before.rssBytes() / 1024);
        r.put("server_rss_holding_kb", holding.rssBytes() / 1024);
        if (ready > 0 && holding.rssBytes() > 0) {
            r.put("server_rss_per_conn_bytes", (holding.rssBytes() - before.rssBytes()) / (double) ready);
        }
        r.put("server_cpu_ms_connecting", (holding.cpuNanos() - before.cpuNanos()) / 1e6);
        if (ready > 0 && holding.cpuNanos() > 0) {
            // What one server core could take if the generator kept up: the generator, on one core
            // too, spends more per connection than the server does.
            double usEach = (holding.cpuNanos() - before.cpuNanos()) / 1e3 / ready;
            r.put("server_cpu_us_per_connect", usEach);
        }
        return r;
    }

    /**
     * P pairs, each direction keeping W relays in flight (a relay is sent when the previous one from
     * the same sender arrived): the delivered rate and the server's CPU time per delivered relay.
     */
    static Map<String, Object> throughput(Options o, Generator generator) throws InterruptedException {
        Adapter adapter = Adapter.of(o.adapter());
        Payload payload = new Payload(o.payloadBytes());
        Tracker tracker = new Tracker() {
            @Override
            void onRelay(Client client, long stamp, long pairKey) {
                // Fan-out protocols deliver to everyone; only the partner's receipt frees the sender's slot.
                if (pairKey == client.pairKey) client.partner.relay(payload, System.nanoTime());
            }
        };
        List<Client> clients = pairs(o, adapter, tracker, o.pairs(), "t");
        int ready = connectAll(o, generator, tracker, clients, Math.max(1, o.concurrency()), 60);
        if (ready < clients.size()) throw notAllReady(tracker, ready, clients.size());
        for (Client client : clients) {
            for (int i = 0; i < o.window(); i++) client.relay(payload, System.nanoTime());
        }
        sleep(o.warmupSeconds());
        long d0 = tracker.delivered.get();
        ProcStats s0 = ProcStats.read(o.serverPid());
        ProcStats g0 = ProcStats.read("self");
        long t0 = System.nanoTime();
        sleep(o.seconds());
        long d1 = tracker.delivered.get();
        ProcStats s1 = ProcStats.read(o.serverPid());
        ProcStats g1 = ProcStats.read("self");
        long t1 = System.nanoTime();
        clients.forEach(Client::close);
        long delivered = d1 - d0;
        double secs = (t1 - t0) / 1e9;
        Map<String, Object> r = fields();
        r.put("delivered", delivered);
        r.put("delivered_total", d1);
        r.put("seconds", secs);
        r.put("msgs_per_s", delivered / secs);
        serverCpu(r, s0, s1, delivered, secs);
        r.put("generator_cpu_pct", 100.0 * (g1.cpuNanos() - g0.cpuNanos()) / (t1 - t0));
        return r;
    }

    private static void serverCpu(Map<String, Object> r, ProcStats s0, ProcStats s1, long delivered, double secs) {
        if (s1.cpuNanos() == 0) return;
        long cpu = s1.cpuNanos() - s0.cpuNanos();
        r.put("server_cpu_pct", 100.0 * cpu / (secs * 1e9));
        r.put("server_cpu_user_pct", 100.0 * (s1.cpuUserNanos() - s0.cpuUserNanos()) / (secs * 1e9));
        r.put("server_cpu_sys_pct", 100.0 * (s1.cpuSystemNanos() - s0.cpuSystemNanos()) / (secs * 1e9));
        if (delivered > 0) {
            r.put("server_cpu_us_per_msg", cpu / 1e3 / delivered);
            r.put("server_msgs_per_cpu_s", delivered / (cpu / 1e9));
        }
        r.put("server_rss_kb", s1.rssBytes() / 1024);
    }

    /**
     * Open loop: relays are sent on a fixed schedule at the aggregate rate, round-robin over the
     * clients, and each latency is measured from the scheduled send time, so a stalled server or
     * generator shows up as latency instead of as fewer samples (no coordinated omission).
     */
    static Map<String, Object> latency(Options o, Generator generator) throws InterruptedException {
        Adapter adapter = Adapter.of(o.adapter());
        Payload payload = new Payload(o.payloadBytes());
        Histogram recording = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong received = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        // The schedule starts once every client is ready, so connecting never eats into the warm-up.
        long[] window = new long[3]; // epoch, measure from, measure to
        Tracker tracker = new Tracker() {
            @Override
            void onRelay(Client client, long stamp, long pairKey) {
                if (pairKey != client.pairKey || stopped.get()) return; // fan-out copies are not this relay
                long scheduled = window[0] + stamp;
                if (scheduled >= window[1] && scheduled < window[2]) {
                    recording.recordValue(Math.max(0, System.nanoTime() - scheduled));
                    received.incrementAndGet();
                }
            }
        };
        List<Client> clients = pairs(o, adapter, tracker, o.pairs(), "l");
        int ready = connectAll(o, generator, tracker, clients, Math.max(1, o.concurrency()), 60);
        if (ready < clients.size()) throw notAllReady(tracker, ready, clients.size());
        long epoch = System.nanoTime();
        long measureFrom = epoch + (long) (o.warmupSeconds() * 1e9);
        long measureTo = measureFrom + (long) (o.seconds() * 1e9);
        window[1] = measureFrom;
        window[2] = measureTo;
        window[0] = epoch;
        // Every event loop paces the clients it serves on its own timer, so a relay is written by the
        // thread that owns its connection. A pacing thread that handed each relay to an event loop (a
        // task and a wake-up per relay) was tried first: on the generator's one core it fell behind at
        // 20,000/s and its lateness, charged to latency as it must be, measured the generator.
        Map<EventLoop, List<Client>> byLoop = new LinkedHashMap<>();
        for (Client client : clients) byLoop.computeIfAbsent(client.channel.eventLoop(), k -> new ArrayList<>()).add(client);
        AtomicLong sentCounter = new AtomicLong();
        CountDownLatch paced = new CountDownLatch(byLoop.size());
        double nanosPerSlot = 1e9 / o.rate();
        List<Pacer> pacers = new ArrayList<>();
        for (Map.Entry<EventLoop, List<Client>> loop : byLoop.entrySet()) {
            Pacer pacer = new Pacer(loop.getKey(), loop.getValue().toArray(new Client[0]), clients.size(), nanosPerSlot,
                    epoch, measureFrom, measureTo, payload, sentCounter, paced);
            pacers.add(pacer);
            loop.getKey().execute(pacer);
        }
        long lead = settleLead(o);
        settleGenerator(o, measureFrom, lead);
        ServerRelayLatency.Snapshot m0 = openingSnapshot(o, measureFrom, lead);
        sleepUntil(measureFrom);
        ProcStats s0 = ProcStats.read(o.serverPid());
        long t0 = System.nanoTime();
        sleepUntil(measureTo);
        ProcStats s1 = ProcStats.read(o.serverPid());
        long t1 = System.nanoTime();
        paced.await(10, TimeUnit.SECONDS);
        long sent = sentCounter.get();
        // Stragglers still count (they are the tail); give them a moment.
        long drainUntil = System.nanoTime() + 2_000_000_000L;
        while (received.get() < sent && System.nanoTime() < drainUntil) Thread.sleep(5);
        // Later arrivals are not recorded: percentiles are read from a histogram nobody writes to.
        stopped.set(true);
        clients.forEach(Client::close);
        Thread.sleep(100);
        Histogram histogram = recording.copy();
        Map<String, Object> r = fields();
        r.put("offered_per_s", o.rate());
        r.put("delivered_total", tracker.delivered.get());
        r.put("sent", sent);
        r.put("received", received.get());
        r.put("lost_or_late", sent - received.get());
        r.put("achieved_per_s", received.get() / o.seconds());
        r.put("p50_us", histogram.getValueAtPercentile(50) / 1e3);
        r.put("p90_us", histogram.getValueAtPercentile(90) / 1e3);
        r.put("p99_us", histogram.getValueAtPercentile(99) / 1e3);
        r.put("p999_us", histogram.getValueAtPercentile(99.9) / 1e3);
        r.put("max_us", histogram.getMaxValue() / 1e3);
        r.put("mean_us", histogram.getMean() / 1e3);
        // Lateness of the sends themselves: latency the generator added before the server saw a relay.
        Histogram lag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        pacers.forEach(p -> lag.add(p.sendLag));
        r.put("send_lag_p50_us", lag.getValueAtPercentile(50) / 1e3);
        r.put("send_lag_p99_us", lag.getValueAtPercentile(99) / 1e3);
        r.put("send_lag_p999_us", lag.getValueAtPercentile(99.9) / 1e3);
        r.put("send_lag_max_us", lag.getMaxValue() / 1e3);
        serverCpu(r, s0, s1, received.get(), (t1 - t0) / 1e9);
        // Read after the drain, so the relays of the window that were still in flight are in it;
        // the few sent in the drain are counted too.
        ServerRelayLatency.Snapshot m1 = serverRelayLatency(o);
        if (m0 != null && m1 != null) r.put("server_relay_latency", ServerRelayLatency.between(m0, m1));
        return r;
    }

    private static ServerRelayLatency.Snapshot serverRelayLatency(Options o) {
        if (o.serverMetrics().isEmpty()) return null;
        try {
            return ServerRelayLatency.read(o.serverMetrics());
        } catch (Exception e) {
            System.err.println("bench: server metrics not read: " + e);
            return null;
        }
    }

    /**
     * How long before the measured window the generator settles: half the warm-up, at most 2 s; no
     * settling when the warm-up is shorter than a second (smoke runs).
     */
    private static long settleLead(Options o) {
        return o.warmupSeconds() < 1 ? 0 : Math.min((long) (o.warmupSeconds() * 1e9 / 2), 2_000_000_000L);
    }

    /**
     * Readies the generator for the measured window, late in the warm-up: collects its heap once, so
     * that its next young collection falls after the window (bin/signalman bench sizes the young
     * generation for that; a first young collection of the generator took 40 ms on its one core and,
     * landing in the window, was most of the p99.9 a latency run reported), and reads the node's
     * metrics once to load the HTTP client, whose first use stalled the generator for tens of ms.
     * The relays held up meanwhile are warm-up ones.
     */
    private static void settleGenerator(Options o, long measureFrom, long lead) throws InterruptedException {
        if (lead == 0) return;
        sleepUntil(measureFrom - lead);
        serverRelayLatency(o);
        System.gc();
    }

    /**
     * The node's relay-latency histogram read shortly before the window (a read at its very start
     * would stall the first relays measured), or null when not asked for.
     */
    private static ServerRelayLatency.Snapshot openingSnapshot(Options o, long measureFrom, long lead)
            throws InterruptedException {
        if (lead > 0) sleepUntil(measureFrom - lead / 4);
        return serverRelayLatency(o);
    }

    /**
     * Handshakes back to back with {@code concurrency} in progress: two clients connect and register
     * (join one room where the protocol has rooms), one sends an offer, the other answers, both close.
     */
    static Map<String, Object> churn(Options o, Generator generator) throws InterruptedException {
        Adapter adapter = Adapter.of(o.adapter());
        Payload offer = new Payload(o.payloadBytes());
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong keys = new AtomicLong();
        long end = System.nanoTime() + (long) ((o.warmupSeconds() + o.seconds()) * 1e9);
        CountDownLatch finished = new CountDownLatch(o.concurrency());

        final class Worker implements Client.Events {
            private Client a;
            private Client b;
            private int readyCount;
            private boolean done;

            void start() {
                if (System.nanoTime() >= end) {
                    finished.countDown();
                    return;
                }
                long key = keys.incrementAndGet();
                readyCount = 0;
                done = false;
                String room = "c" + RUN + "-" + key;
                a = new Client(adapter, this, (int) (key * 2), room + "a", key, room);
                b = new Client(adapter, this, (int) (key * 2 + 1), room + "b", key, room);
                a.partner = b;
                b.partner = a;
                generator.connect(o.urlFor(a.index), a);
                generator.connect(o.urlFor(b.index), b);
            }

            @Override
            public synchronized void ready(Client client) {
                if (client != a && client != b) return;
                if (++readyCount == 2) a.relay(offer, 0);
            }

            @Override
            public synchronized void relay(Client client, long stamp, long pairKey) {
                if (pairKey != client.pairKey || done) return;
                if (client == b) {
                    b.relay(offer, 1); // the answer
                } else if (client == a) {
                    done = true;
                    completed.incrementAndGet();
                    a.close();
                    b.close();
                    a.channel.eventLoop().execute(this::start);
                }
            }

            @Override
            public synchronized void closed(Client client) {
                if (done || (client != a && client != b)) return;
                done = true;
                failed.incrementAndGet();
                a.close();
                b.close();
                client.channel.eventLoop().schedule(this::start, 10, TimeUnit.MILLISECONDS);
            }
        }

        for (int i = 0; i < o.concurrency(); i++) new Worker().start();
        sleep(o.warmupSeconds());
        long c0 = completed.get();
        ProcStats s0 = ProcStats.read(o.serverPid());
        long t0 = System.nanoTime();
        sleep(o.seconds());
        long c1 = completed.get();
        ProcStats s1 = ProcStats.read(o.serverPid());
        long t1 = System.nanoTime();
        finished.await(10, TimeUnit.SECONDS);
        Map<String, Object> r = fields();
        double secs = (t1 - t0) / 1e9;
        r.put("handshakes", c1 - c0);
        r.put("completed_total", completed.get());
        r.put("failed", failed.get());
        r.put("seconds", secs);
        r.put("handshakes_per_s", (c1 - c0) / secs);
        if (s1.cpuNanos() > 0) {
            r.put("server_cpu_pct", 100.0 * (s1.cpuNanos() - s0.cpuNanos()) / (secs * 1e9));
            if (c1 > c0) r.put("server_cpu_us_per_handshake", (s1.cpuNanos() - s0.cpuNanos()) / 1e3 / (c1 - c0));
        }
        return r;
    }

    /**
     * Sends the relays of one event loop's clients on the open-loop schedule: slot {@code j} of the
     * aggregate schedule (at {@code epoch + j * nanosPerSlot}) belongs to client {@code j mod n}. It
     * runs on that event loop, sends whatever is due, and schedules itself for the next slot.
     */
    private static final class Pacer implements Runnable {
        private final EventLoop loop;
        private final Client[] mine; // in index order
        private final int clientCount;
        private final double nanosPerSlot;
        private final long epoch;
        private final long measureFrom;
        private final long measureTo;
        private final Payload payload;
        private final AtomicLong sent;
        private final CountDownLatch done;
        /** How late each measured relay left against its slot: the generator's own share of latency. */
        final Histogram sendLag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        private int position;
        private long round;

        Pacer(EventLoop loop, Client[] mine, int clientCount, double nanosPerSlot, long epoch, long measureFrom,
                long measureTo, Payload payload, AtomicLong sent, CountDownLatch done) {
            this.loop = loop;
            this.mine = mine;
            this.clientCount = clientCount;
            this.nanosPerSlot = nanosPerSlot;
            this.epoch = epoch;
            this.measureFrom = measureFrom;
            this.measureTo = measureTo;
            this.payload = payload;
            this.sent = sent;
            this.done = done;
        }

        private long due() {
            return epoch + (long) ((round * clientCount + mine[position].index) * nanosPerSlot);
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            long due = due();
            while (due <= now) {
                if (due >= measureTo) {
                    done.countDown();
                    return;
                }
                mine[position].relay(payload, due - epoch);
                if (due >= measureFrom) {
                    sent.incrementAndGet();
                    sendLag.recordValue(Math.max(0, now - due));
                }
                if (++position == mine.length) {
                    position = 0;
                    round++;
                }
                due = due();
            }
            if (due >= measureTo) {
                done.countDown();
                return;
            }
            loop.schedule(this, due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) TimeUnit.NANOSECONDS.sleep(left);
    }

    private static void sleep(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }
}
