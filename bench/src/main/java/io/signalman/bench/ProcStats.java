package io.signalman.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time and resident memory of a process, read from {@code /proc/<pid>} (Linux). CPU comes in
 * clock ticks of 10 ms (USER_HZ is 100 on Linux x86), so measurement windows should be seconds long.
 */
record ProcStats(long cpuUserNanos, long cpuSystemNanos, long rssBytes) {
    private static final long NANOS_PER_TICK = 10_000_000L;

    long cpuNanos() {
        return cpuUserNanos + cpuSystemNanos;
    }

    /**
     * Reads {@code pid} ("self" for this process); zeros when the pid is 0 or unreadable. Several
     * pids separated by commas (the nodes of a cluster) give their sum.
     */
    static ProcStats read(String pid) {
        if (pid != null && pid.contains(",")) {
            long user = 0;
            long system = 0;
            long rss = 0;
            for (String one : pid.split(",")) {
                ProcStats s = readOne(one.trim());
                user += s.cpuUserNanos;
                system += s.cpuSystemNanos;
                rss += s.rssBytes;
            }
            return new ProcStats(user, system, rss);
        }
        return readOne(pid);
    }

    private static ProcStats readOne(String pid) {
        if (pid == null || pid.isEmpty() || pid.equals("0")) return new ProcStats(0, 0, 0);
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long user = Long.parseLong(f[11]) * NANOS_PER_TICK;
            long system = Long.parseLong(f[12]) * NANOS_PER_TICK;
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return new ProcStats(user, system, rss);
        } catch (IOException | RuntimeException e) {
            return new ProcStats(0, 0, 0);
        }
    }

    /** The machine's CPU ticks from {@code /proc/stat}: user, nice, system, idle, iowait, irq, softirq, steal. */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long[] ticks = new long[8];
            for (int i = 0; i < ticks.length && i + 1 < f.length; i++) ticks[i] = Long.parseLong(f[i + 1]);
            return ticks;
        } catch (IOException | RuntimeException e) {
            return new long[8];
        }
    }

    /**
     * How the whole machine's CPU was spent between two {@link #machineTicks} readings, in percent:
     * a busy or stolen (virtualised) machine explains a noisy run.
     */
    static Map<String, Object> machineShare(long[] before, long[] after) {
        String[] names = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
        long total = 0;
        for (int i = 0; i < names.length; i++) total += after[i] - before[i];
        Map<String, Object> share = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            share.put(names[i], total > 0 ? Math.round(1000.0 * (after[i] - before[i]) / total) / 10.0 : 0.0);
        }
        return share;
    }

    /** The one-minute load average, as uptime prints it. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
