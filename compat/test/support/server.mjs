// Starts a Signalman node from the built jar for one test file and tells the tests where it listens.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const jar = process.env.SIGNALMAN_JAR || path.join(root, 'server/target/signalman.jar');

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
  const expected = 1 + args.filter((a) => a === '--listen' || a.startsWith('--listen=')).length;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30000);
    const onData = (chunk) => {
      output += chunk;
      for (const m of output.matchAll(/(\w+) listener on https?:\/\/[^:\s]+:(\d+)/g)) ports[m[1]] = Number(m[2]);
      if (Object.keys(ports).length >= expected && /Signalman is ready/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
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
