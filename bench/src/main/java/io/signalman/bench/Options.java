package io.signalman.bench;

import java.net.URI;
import java.util.List;

/**
 * Everything a scenario run is parameterised by (the command-line options of {@link BenchMain}).
 *
 * @param conns connections for {@code conns}
 * @param urls where clients connect: client {@code i} to {@code urls[i % urls.size()]}, so with two or
 *     more nodes the partners of a pair ({@code 2k}, {@code 2k+1}) sit on different nodes
 * @param pairs client pairs for {@code throughput} and {@code latency}
 * @param window relays in flight per direction of a pair ({@code throughput})
 * @param payloadBytes size of each relayed payload
 * @param rate aggregate offered relays per second ({@code latency})
 * @param concurrency handshakes in progress at once ({@code churn}); connects in flight ({@code conns})
 * @param warmupSeconds load before measuring starts
 * @param seconds length of the measurement
 * @param holdSeconds how long {@code conns} holds its connections open after they are all ready
 * @param serverPid pid of the server, for its CPU time and RSS from /proc (0: not measured); several pids
 *     separated by commas are summed (the nodes of a cluster)
 * @param threads generator event-loop threads
 * @param firstSource last octet of the first source address 127.0.0.x
 * @param sources number of source addresses (0: let the kernel choose)
 * @param label free text copied into the result (for the tables and plots)
 * @param serverMetrics Prometheus endpoints of Signalman nodes, for the node's own share of relay
 *     latency ({@code latency}); empty: not read
 */
record Options(String scenario, String adapter, List<URI> urls, int conns, int pairs, int window, int payloadBytes,
        int rate, int concurrency, double warmupSeconds, double seconds, double holdSeconds, String serverPid,
        int threads, int firstSource, int sources, String label, List<URI> serverMetrics) {

    /** The first URL, for messages and results. */
    URI url() {
        return urls.get(0);
    }

    /** The URL client number {@code index} connects to. */
    URI urlFor(int index) {
        return urls.get(Math.floorMod(index, urls.size()));
    }
}
