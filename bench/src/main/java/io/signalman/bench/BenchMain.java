package io.signalman.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/signalman bench SCENARIO --url URL [options]}: runs one load scenario and prints one
 * JSON line of results. {@code bench jmh [JMH options]} runs the microbenchmarks and
 * {@code bench plot RESULTS.jsonl DIR} draws the plots of a results file.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load generator for Signalman and the PeerJS server; prints one JSON line per run.",
                "Scenarios: conns, throughput, latency, churn. Other commands: jmh [JMH args], plot RESULTS.jsonl DIR."})
public final class BenchMain implements Callable<Integer> {

    @Parameters(index = "0", description = "conns | throughput | latency | churn")
    String scenario;

    @Option(names = "--adapter", defaultValue = "native",
            description = "native, pair, broadcast, direct, star, workspaces, peerjs (default: ${DEFAULT-VALUE})")
    String adapter;

    @Option(names = "--url", required = true, split = ",", description = "WebSocket URL, e.g. ws://127.0.0.1:8080/v1/ws, "
            + "ws://127.0.0.1:9000/peerjs, ws://127.0.0.1:8080/socket.io/; several (repeated or comma-separated): "
            + "client i connects to the (i mod n)th, so partners sit on different nodes of a cluster")
    List<URI> urls;

    @Option(names = "--conns", defaultValue = "1000", description = "connections (conns)")
    int conns;

    @Option(names = "--pairs", defaultValue = "16", description = "client pairs (throughput, latency)")
    int pairs;

    @Option(names = "--window", defaultValue = "8", description = "relays in flight per direction (throughput)")
    int window;

    @Option(names = "--payload", defaultValue = "1500", description = "payload bytes: 1500 SDP-like, 200 candidate-like")
    int payload;

    @Option(names = "--rate", defaultValue = "20000", description = "offered relays per second, all pairs together (latency)")
    int rate;

    @Option(names = "--concurrency", defaultValue = "64", description = "handshakes in progress (churn) or connects in flight (conns)")
    int concurrency;

    @Option(names = "--warmup", defaultValue = "5", description = "seconds of load before measuring (conns: of connecting and closing)")
    double warmup;

    @Option(names = "--seconds", defaultValue = "10", description = "seconds measured")
    double seconds;

    @Option(names = "--hold", defaultValue = "10", description = "seconds conns holds its connections")
    double hold;

    @Option(names = "--server-pid", defaultValue = "0",
            description = "server pid, for CPU and RSS from /proc; several separated by commas are summed")
    String serverPid;

    @Option(names = "--threads", defaultValue = "0", description = "generator event loops (default: available cores)")
    int threads;

    @Option(names = "--first-source", defaultValue = "2", description = "first source address is 127.0.0.N")
    int firstSource;

    @Option(names = "--sources", defaultValue = "32", description = "source addresses 127.0.0.N.. (0: kernel's choice)")
    int sources;

    @Option(names = "--procs", defaultValue = "1",
            description = "generator processes for conns (each under the 20,000 open-files cap)")
    int procs;

    @Option(names = "--label", defaultValue = "", description = "free text copied into the result")
    String label;

    @Option(names = "--server-metrics", split = ",",
            description = "latency: Signalman's Prometheus endpoints (e.g. http://127.0.0.1:8080/metrics), for the share "
                    + "of latency spent inside the node; several separated by commas are summed")
    List<URI> serverMetrics = List.of();

    @Option(names = "--child", hidden = true)
    boolean child;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("plot")) {
            Plots.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        int status = new CommandLine(new BenchMain()).execute(args);
        System.exit(status);
    }

    /** The options a command line names, as the command would run them (defaults filled in). */
    static Options parse(String... args) {
        BenchMain command = new BenchMain();
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    Options options() {
        int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new Options(scenario, adapter, List.copyOf(urls), conns, pairs, window, payload, rate, concurrency, warmup, seconds,
                hold, serverPid, loops, firstSource, sources, label, List.copyOf(serverMetrics));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Object> line = run(options(), procs, child);
        System.out.println(Adapter.JSON.writeValueAsString(line));
        return 0;
    }

    /** Runs one scenario in this process (or, for conns with procs > 1, in child processes) and describes it. */
    static Map<String, Object> run(Options o, int procs, boolean child) throws Exception {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("scenario", o.scenario());
        line.put("adapter", o.adapter());
        line.put("url", o.urls().size() == 1 ? o.url().toString() : o.urls().stream().map(URI::toString).toList());
        line.put("label", o.label());
        line.put("loadavg_before", ProcStats.loadAverage());
        Map<String, Object> params = new LinkedHashMap<>();
        switch (o.scenario()) {
            case "conns" -> { params.put("conns", o.conns()); params.put("procs", procs); params.put("hold_s", o.holdSeconds()); }
            case "throughput" -> { params.put("pairs", o.pairs()); params.put("window", o.window()); params.put("payload", o.payloadBytes()); }
            case "latency" -> { params.put("pairs", o.pairs()); params.put("rate", o.rate()); params.put("payload", o.payloadBytes()); }
            case "churn" -> { params.put("concurrency", o.concurrency()); params.put("payload", o.payloadBytes()); }
            default -> { }
        }
        params.put("warmup_s", o.warmupSeconds());
        params.put("seconds", o.seconds());
        line.put("params", params);
        Map<String, Object> results;
        long[] ticksBefore = ProcStats.machineTicks();
        if (o.scenario().equals("conns") && procs > 1) {
            results = connsInProcesses(o, procs);
        } else {
            try (Generator generator = new Generator(o.threads(), o.firstSource(), o.sources())) {
                line.put("generator", Map.of("epoll", generator.isEpoll(), "threads", o.threads()));
                results = o.scenario().equals("conns") && child
                        ? Scenarios.conns(o, generator, BenchMain::holdForParent)
                        : Scenarios.run(o, generator);
            }
        }
        line.put("results", results);
        line.put("machine_cpu_pct", ProcStats.machineShare(ticksBefore, ProcStats.machineTicks()));
        line.put("loadavg_after", ProcStats.loadAverage());
        return line;
    }

    /** In a child: tell the parent all connections are up, and wait until it has sampled the server. */
    private static void holdForParent(int ready) {
        System.out.println("HOLDING " + ready);
        System.out.flush();
        try {
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (java.io.IOException e) {
            // parent gone: carry on and finish
        }
    }

    /**
     * conns over several generator processes: each opens its share from its own source addresses;
     * the server's memory is sampled once all of them hold their connections.
     */
    private static Map<String, Object> connsInProcesses(Options o, int procs) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String classpath = System.getProperty("java.class.path");
        int sourcesEach = Math.max(1, o.sources() / procs);
        ProcStats before = ProcStats.read(o.serverPid());
        long start = System.nanoTime();
        List<Process> children = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        for (int i = 0; i < procs; i++) {
            int share = o.conns() / procs + (i < o.conns() % procs ? 1 : 0);
            List<String> command = new ArrayList<>(List.of(java, "-Xss512k", "-cp", classpath, BenchMain.class.getName(),
                    "conns", "--child", "--adapter", o.adapter(),
                    "--url", String.join(",", o.urls().stream().map(URI::toString).toList()),
                    "--conns", Integer.toString(share), "--concurrency", Integer.toString(Math.max(1, o.concurrency() / procs)),
                    // The parent measures from before the children start: a child's warm-up would count.
                    "--hold", "0", "--warmup", "0", "--threads", Integer.toString(o.threads()),
                    "--first-source", Integer.toString(o.firstSource() + i * sourcesEach),
                    "--sources", Integer.toString(sourcesEach)));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            children.add(process);
            outputs.add(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
        }
        int ready = 0;
        for (BufferedReader out : outputs) {
            String holding = out.readLine();
            if (holding != null && holding.startsWith("HOLDING ")) ready += Integer.parseInt(holding.substring(8).trim());
        }
        long elapsed = System.nanoTime() - start;
        Thread.sleep((long) (Math.min(o.holdSeconds(), 5) * 1000));
        ProcStats holding = ProcStats.read(o.serverPid());
        Thread.sleep((long) (Math.max(0, o.holdSeconds() - 5) * 1000));
        double slowest = 0;
        for (int i = 0; i < procs; i++) {
            try (Writer in = new OutputStreamWriter(children.get(i).getOutputStream(), StandardCharsets.UTF_8)) {
                in.write("release\n");
            }
            String result = outputs.get(i).readLine();
            if (result != null) {
                JsonNode node = Adapter.JSON.readTree(result).path("results");
                slowest = Math.max(slowest, node.path("connect_seconds").asDouble());
            }
            children.get(i).waitFor();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("connections", o.conns());
        r.put("ready", ready);
        r.put("connect_seconds", slowest);
        r.put("connects_per_s", slowest > 0 ? ready / slowest : 0);
        r.put("all_ready_seconds", elapsed / 1e9);
        r.put("server_rss_before_kb", before.rssBytes() / 1024);
        r.put("server_rss_holding_kb", holding.rssBytes() / 1024);
        if (ready > 0 && holding.rssBytes() > 0) {
            r.put("server_rss_per_conn_bytes", (holding.rssBytes() - before.rssBytes()) / (double) ready);
        }
        return r;
    }
}
