package io.signalman;

import io.signalman.cluster.redis.RedisEngine;
import io.signalman.config.ListenerSpec;
import io.signalman.config.ServerConfig;
import io.signalman.core.Engine;
import io.signalman.core.Event;
import io.signalman.core.Peer;
import io.signalman.core.Switchboard;
import io.signalman.core.engine.LocalEngine;
import io.signalman.dialect.Dialect;
import io.signalman.dialect.DialectContext;
import io.signalman.dialect.Dialects;
import io.signalman.dialect.SocketIoDialect;
import io.signalman.ops.AdminApi;
import io.signalman.ops.ClusterMeters;
import io.signalman.ops.InfoPage;
import io.signalman.ops.Metrics;
import io.signalman.ops.OpsRoutes;
import io.signalman.ops.RateLimitedLog;
import io.signalman.ops.WebFiles;
import io.signalman.transport.AbuseLimits;
import io.signalman.transport.ConnectionGuard;
import io.signalman.transport.Listener;
import io.signalman.transport.ListenerTls;
import io.signalman.transport.Routes;
import io.signalman.transport.TlsFiles;
import io.signalman.transport.Transport;
import io.signalman.transport.socketio.SocketIoServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: the composition root that wires engine, switchboard, dialects and listeners
 * together, and takes them apart again on {@link #close()}.
 */
public final class SignalmanServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SignalmanServer.class);

    /** Raised when a listener cannot bind; the message is one line for the operator. */
    public static final class BindFailure extends RuntimeException {
        BindFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ServerConfig config;
    private final Engine engine;
    private final Transport transport;
    private final List<Listener> listeners = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean ready;
    private final AtomicBoolean draining = new AtomicBoolean();
    private Metrics metrics;
    private ConnectionGuard guard;
    private Map<String, Dialect> dialects = Map.of();
    private ScheduledFuture<?> sweeper;
    /** Follows the listeners' certificate files; its own thread, since reading them blocks. */
    private ScheduledExecutorService tlsWatcher;

    private SignalmanServer(ServerConfig config) {
        this.config = config;
        this.engine = config.cluster() == null ? new LocalEngine() : new RedisEngine(config.cluster());
        this.transport = new Transport(config.workerThreads());
    }

    /** Builds and binds every listener; on failure nothing stays open. */
    public static SignalmanServer start(ServerConfig config) {
        SignalmanServer server = new SignalmanServer(config);
        try {
            server.bind();
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
        return server;
    }

    private void bind() throws InterruptedException {
        metrics = new Metrics(engine);
        if (engine instanceof RedisEngine cluster) ClusterMeters.bind(metrics.registry(), cluster);
        guard = newGuard(config.abuse(), metrics);
        sweeper = transport.timers().scheduleWithFixedDelay(guard::sweep, 10, 10, TimeUnit.SECONDS);
        Switchboard switchboard = new Switchboard(engine, config.maxRoomsPerPeer());
        dialects = Dialects.createAll(new DialectContext(switchboard, metrics, config, transport.timers()));

        Routes main = new Routes();
        OpsRoutes.mount(main, metrics, this::isReady, () -> InfoPage.render(listeners));
        if (config.ops().adminToken() != null) {
            new AdminApi(config.ops().adminToken(), switchboard, dialects.keySet(), this::drain).mount(main);
        }
        WebFiles.load().mount(main);
        dialects.values().forEach(dialect -> dialect.mountOnMain(main));
        open("main", config.host(), config.port(), config.tls(), main, List.copyOf(dialects.values()));

        // Specs naming the same address share one listener (e.g. star and workspaces on one port).
        Map<String, List<ListenerSpec>> byAddress = new LinkedHashMap<>();
        for (ListenerSpec spec : config.listeners()) {
            Dialect dialect = dialects.get(spec.dialect());
            String host = spec.host() != null ? spec.host()
                    : dialect.defaultHost() != null ? dialect.defaultHost() : config.host();
            int port = spec.port() == ListenerSpec.DEFAULT_PORT ? dialect.defaultPort() : spec.port();
            String key = port == 0 ? spec.dialect() + "@" + host + ":0#" + byAddress.size() : host + ":" + port;
            byAddress.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new ListenerSpec(spec.dialect(), host, port, spec.tls()));
        }
        for (List<ListenerSpec> specs : byAddress.values()) {
            ListenerSpec first = specs.get(0);
            Routes routes = new Routes();
            List<Dialect> served = new ArrayList<>();
            TlsFiles tls = null;
            for (ListenerSpec spec : specs) {
                Dialect dialect = dialects.get(spec.dialect());
                dialect.mountAtRoot(routes);
                served.add(dialect);
                if (tls == null) tls = spec.tls() != null ? spec.tls() : dialect.usesMainTls() ? config.tls() : null;
            }
            String name = specs.stream().map(ListenerSpec::dialect).distinct().reduce((a, b) -> a + "+" + b).orElseThrow();
            open(name, first.host(), first.port(), tls, routes, served);
        }
        ready = true;
        log.info("Signalman is ready ({} transport, {} worker threads)",
                transport.isEpoll() ? "epoll" : "NIO", config.workerThreads());
    }

    private void open(String name, String host, int port, TlsFiles tlsFiles, Routes routes, List<Dialect> served)
            throws InterruptedException {
        ListenerTls tls = tlsFiles == null ? null : ListenerTls.load(name, tlsFiles);
        if (tls != null && config.ops().tlsReloadMs() > 0) tls.watch(tlsWatcher(), config.ops().tlsReloadMs());
        SocketIoServer socketIo = socketIoFor(served, guard);
        InetSocketAddress address = new InetSocketAddress(host, port);
        Listener listener = new Listener(name, address, tls, routes, socketIo, guard);
        try {
            listener.start(transport);
        } catch (Exception e) {
            if (socketIo != null) socketIo.stop();
            throw new BindFailure("cannot listen on " + host + ":" + port + " for " + name + ": " + e.getMessage(), e);
        }
        listeners.add(listener);
        log.info("{} listener on {}://{}:{}", name, tls == null ? "http" : "https",
                listener.boundAddress().getHostString(), listener.boundAddress().getPort());
    }

    private ScheduledExecutorService tlsWatcher() {
        if (tlsWatcher == null) {
            tlsWatcher = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "signalman-tls-watch");
                thread.setDaemon(true);
                return thread;
            });
        }
        return tlsWatcher;
    }

    /** One Socket.IO server for the Socket.IO dialects a listener serves (their events do not collide). */
    private static SocketIoServer socketIoFor(List<Dialect> served, ConnectionGuard guard) {
        List<SocketIoDialect> socketIoDialects = served.stream().map(Dialect::socketIo).filter(d -> d != null).toList();
        if (socketIoDialects.isEmpty()) return null;
        SocketIoServer server = new SocketIoServer(socketIoDialects.get(0).settings(), guard);
        socketIoDialects.forEach(dialect -> dialect.bind(server.namespace()));
        return server;
    }

    private static ConnectionGuard newGuard(AbuseLimits abuse, Metrics metrics) {
        RateLimitedLog refusalLog = new RateLimitedLog(log, 10_000);
        return new ConnectionGuard(abuse, reason -> {
            metrics.counter("signalman_limited_total", "Connections or frames refused, and readers evicted, by limit",
                    "limit", reason).increment();
            refusalLog.info("limit '{}' refused a client (counted in signalman_limited_total)", reason);
        });
    }

    /** True while the node accepts and serves clients. */
    public boolean isReady() {
        return ready && !draining.get() && engine.isReady();
    }

    /** Whether a drain has started. */
    public boolean isDraining() {
        return draining.get();
    }

    /**
     * Starts a drain (idempotent, returns at once): readiness turns false, new sessions are refused,
     * native clients get {@code goaway} with the configured reconnect delay, and the node closes once
     * every session has ended or the drain timeout has passed.
     */
    public void drain() {
        if (!draining.compareAndSet(false, true)) return;
        guard.startDraining();
        // Listeners of one dialect have nothing else to serve; the main one keeps answering /readyz and /metrics.
        listeners.stream().filter(l -> !l.name().equals("main")).forEach(Listener::stopAccepting);
        int told = 0;
        for (String realm : dialects.keySet()) {
            for (String id : engine.peerIds(realm)) {
                Peer peer = engine.find(realm, id);
                if (peer != null) {
                    peer.outlet().deliver(new Event.GoingAway(config.ops().reconnectDelayMs()));
                    told++;
                }
            }
        }
        log.info("draining: {} peers told to go away; closing when all have left or in {} ms", told,
                config.ops().drainTimeoutMs());
        Thread waiter = new Thread(this::finishDrain, "signalman-drain");
        waiter.setDaemon(true);
        waiter.start();
    }

    private void finishDrain() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.ops().drainTimeoutMs());
        try {
            while (metrics.openSessions() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = metrics.openSessions();
        if (left > 0) log.info("drain timeout: closing {} remaining sessions", left);
        else log.info("drained: every session has left");
        close();
    }

    /** For SIGTERM: drains, then waits until the node has closed. */
    public void drainAndAwait() {
        if (closed.get()) return;
        drain();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public List<Listener> listeners() {
        return List.copyOf(listeners);
    }

    /** The bound address of the named listener ("main" or a dialect name). */
    public InetSocketAddress address(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no listener " + name))
                .boundAddress();
    }

    public ServerConfig config() {
        return config;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClose() throws InterruptedException {
        stopped.await();
    }

    /** Stops accepting, closes every connection (peers leave their rooms), and stops the event loops. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        ready = false;
        try {
            if (sweeper != null) sweeper.cancel(false);
            if (tlsWatcher != null) tlsWatcher.shutdownNow();
            listeners.forEach(Listener::stopAccepting);
            listeners.forEach(Listener::close);
            transport.close();
            dialects.values().forEach(Dialect::close);
            engine.close();
            log.info("Signalman stopped");
        } finally {
            stopped.countDown();
        }
    }
}
