package io.signalman.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, read from {@code /proc/<pid>} (Linux). CPU comes in
 * clock ticks of 10 ms (USER_HZ is 100 on Linux x86), so measurement windows should be seconds long.
 */
record ProcStats(long cpuUserNanos, long cpuSystemNanos, long rssBytes) {
    private static final long NANOS_PER_TICK = 10_000_000L;

    long cpuNanos() {
        return cpuUserNanos + cpuSystemNanos;
    }

    /** Reads {@code pid} ("self" for this process); zeros when the pid is 0 or unreadable. */
    static ProcStats read(String pid) {
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

    /** The one-minute load average, as uptime prints it. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
