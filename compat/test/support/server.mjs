// Starts a Signalman node from the built jar for one test file and tells the tests where it listens.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const jar = process.env.SIGNALMAN_JAR || path.join(root, 'server/target/signalman.jar');

/**
 * Calls `onLine` with each complete line of a text stream fed in chunks. Each character is looked
 * at once, however long the output or its lines (rescanning all output on every chunk was quadratic).
 */
export function lineSplitter(onLine) {
  let pending = [];
  return (chunk) => {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      pending.push(chunk.slice(start, nl));
      onLine(pending.join(''));
      pending = [];
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.slice(start));
  };
}

/**
 * `{name, port}` from a line such as `workspaces listener on http://127.0.0.1:9090`, else null.
 * Start-up lines are short; a long line (a logged payload) never reaches the regular expression.
 */
export function listenerLine(line) {
  if (line.length > 1000) return null;
  const m = /(\w+) listener on https?:\/\/[^:\s]+:(\d+)/.exec(line);
  return m ? { name: m[1], port: Number(m[2]) } : null;
}

/**
 * Runs `java -jar signalman.jar ARGS` (main listener on 127.0.0.1, any free port unless ARGS say
 * otherwise) and resolves once every listener has logged its address.
 * Returns { ports: {main, pair, ...}, logs(), stop() }.
 */
export async function startServer(args = [], { env = {}, cwd = root } = {}) {
  if (!fs.existsSync(jar)) throw new Error(`${jar} is missing: run mvn package first`);
  const child = spawn('java', ['-jar', jar, '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ports = {};
  let ready = false;
  const expected = 1 + args.filter((a) => a === '--listen' || a.startsWith('--listen=')).length;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30000);
    let started = false;
    const onLine = (line) => {
      if (started) return;
      const listener = listenerLine(line);
      if (listener) ports[listener.name] = listener.port;
      if (line.includes('Signalman is ready')) ready = true;
      if (ready && Object.keys(ports).length >= expected) {
        started = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    const collect = (chunk) => { output += chunk; };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.stdout.on('data', lineSplitter(onLine));
    child.stderr.on('data', lineSplitter(onLine));
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${output}`)); });
  });
  return {
    ports,
    logs: () => output,
    alive: () => child.exitCode === null,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.on('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}
