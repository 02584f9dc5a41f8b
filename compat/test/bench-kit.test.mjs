// The load kit as a user starts it: `bin/signalman bench jmh` must run a microbenchmark in a JMH
// fork with the options the script gives (the JVM tests call the benchmark methods in-process and
// cannot see what the script passes to the forks). Seconds, no timing assertion. It expects the jar
// that bin/test's Maven build has just made (the script would otherwise build it first, which needs
// the network this namespace does not have).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function run(args, env) {
  return new Promise((resolve) => {
    execFile(path.join(root, 'bin/signalman'), args, { env, timeout: 120000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }));
  });
}

test('bench jmh runs a benchmark in a fork with the script\'s default options', { timeout: 150000 }, async () => {
  const env = { ...process.env };
  delete env.BENCH_JAVA_OPTS;
  const result = await run(['bench', 'jmh', 'NativeRelayBenchmark.route', '-f', '1', '-wi', '0', '-i', '1', '-r', '200ms',
    '-p', 'payload=200', '-foe', 'true'], env);
  assert.equal(result.code, 0, `exit ${result.code}\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
  assert.match(result.stdout, /^NativeRelayBenchmark\.route\s+200\s+avgt\s+(\d+\s+)?[\d.,]+\s+ns\/op$/m);
});
