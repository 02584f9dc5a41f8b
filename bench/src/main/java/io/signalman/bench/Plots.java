package io.signalman.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws PNG plots from a results file (one JSON line per run, as {@link BenchMain} prints):
 * latency percentiles against offered rate, server CPU per relayed message, delivered throughput,
 * memory per connection and churn. Series are grouped by each run's label (server and dialect).
 */
final class Plots {
    private Plots() {}

    static void main(String[] args) throws IOException {
        if (args.length != 2) throw new IllegalArgumentException("usage: bench plot RESULTS.jsonl OUTPUT_DIR");
        List<JsonNode> runs = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (!line.startsWith("{")) continue;
            JsonNode run = Adapter.JSON.readTree(line);
            // Profiled runs carry the profiler's overhead; they are evidence, not results.
            if (!run.path("label").asText().endsWith("-jfr")) runs.add(run);
        }
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        latency(runs, out.resolve("latency-vs-rate.png"));
        bars(runs, "throughput", "server_cpu_us_per_msg", "Server CPU per relayed message (lower is better)",
                "µs of CPU per relay", out.resolve("cpu-per-relay.png"));
        bars(runs, "throughput", "msgs_per_s", "Relays delivered per second, server on one core",
                "relays/s", out.resolve("throughput.png"));
        // Memory is read on fresh processes only: a warm process has its heap resident already.
        List<JsonNode> fresh = runs.stream().filter(r -> !label(r).endsWith("-warm")).toList();
        bars(fresh, "conns", "server_rss_per_conn_bytes", "Server memory per idle connection (lower is better)",
                "bytes RSS per connection", out.resolve("rss-per-conn.png"));
        bars(runs, "conns", "server_cpu_us_per_connect", "Server CPU per connect + welcome + join (lower is better)",
                "µs of CPU per connection", out.resolve("cpu-per-connect.png"));
        bars(runs, "churn", "handshakes_per_s", "Churn: connect, register, offer, answer, close",
                "handshakes/s", out.resolve("churn.png"));
    }

    private static String label(JsonNode run) {
        String label = run.path("label").asText();
        return label.isEmpty() ? run.path("adapter").asText() : label;
    }

    /** p50, p99 and p99.9 against offered rate, one colour group per label; log scale in µs. */
    private static void latency(List<JsonNode> runs, Path file) throws IOException {
        Map<String, TreeMap<Integer, JsonNode>> byLabel = new LinkedHashMap<>();
        for (JsonNode run : runs) {
            if (!run.path("scenario").asText().equals("latency")) continue;
            byLabel.computeIfAbsent(label(run) + " " + run.path("params").path("payload").asInt() + " B",
                    k -> new TreeMap<>()).put(run.path("params").path("rate").asInt(), run.path("results"));
        }
        if (byLabel.isEmpty()) return;
        XYChart chart = new XYChartBuilder().width(1100).height(600)
                .title("Relay latency against offered rate (open loop, from scheduled send time)")
                .xAxisTitle("offered relays per second").yAxisTitle("latency, µs (log)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        for (Map.Entry<String, TreeMap<Integer, JsonNode>> e : byLabel.entrySet()) {
            for (String[] p : new String[][] {{"p50_us", "p50"}, {"p99_us", "p99"}, {"p999_us", "p99.9"}}) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                e.getValue().forEach((rate, r) -> {
                    x.add(rate.doubleValue());
                    y.add(Math.max(1, r.path(p[0]).asDouble()));
                });
                chart.addSeries(e.getKey() + " " + p[1], x, y).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** One bar per label, grouped by payload size where the scenario has one. */
    private static void bars(List<JsonNode> runs, String scenario, String field, String title, String yTitle, Path file)
            throws IOException {
        Map<String, Map<String, Double>> series = new LinkedHashMap<>(); // label -> category -> value
        List<String> categories = new ArrayList<>();
        for (JsonNode run : runs) {
            if (!run.path("scenario").asText().equals(scenario) || !run.path("results").has(field)) continue;
            int payload = run.path("params").path("payload").asInt(0);
            String category = payload > 0 ? payload + " B" : run.path("params").path("conns").asInt(0) > 0
                    ? run.path("params").path("conns").asInt() + " conns" : scenario;
            if (!categories.contains(category)) categories.add(category);
            series.computeIfAbsent(label(run), k -> new LinkedHashMap<>()).put(category, run.path("results").path(field).asDouble());
        }
        if (series.isEmpty()) return;
        CategoryChart chart = new CategoryChartBuilder().width(1100).height(600).title(title)
                .xAxisTitle("").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        for (Map.Entry<String, Map<String, Double>> e : series.entrySet()) {
            List<Double> values = new ArrayList<>();
            for (String category : categories) values.add(e.getValue().getOrDefault(category, 0.0));
            chart.addSeries(e.getKey(), categories, values);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
