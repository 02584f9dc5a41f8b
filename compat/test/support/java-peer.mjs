// Runs the Java peer (peer/target/signalman-peer.jar, built by `mvn verify`) as a child process, and
// gives libwebrtc a loopback address it will use. Nothing here builds anything.
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const peerJar = process.env.SIGNALMAN_PEER_JAR || path.join(root, 'peer/target/signalman-peer.jar');

/** Fails loudly when the jar is missing, so that no test is skipped in silence. */
export function requirePeerJar() {
  if (!fs.existsSync(peerJar)) {
    throw new Error(`${peerJar} is missing: build it first with \`mvn -B -ntp verify\` (bin/test does) or \`mvn -pl peer -am package\``);
  }
}

const VETH = 'smpeer0';
const VETH_PEER = 'smpeer1';

/**
 * libwebrtc (webrtc-java) gathers no candidates on loopback interfaces, so in a namespace that holds
 * only `lo` two Java peers find no path. A veth pair whose end carries 127.0.0.2/8 gives it a
 * 127.x address on an interface it accepts; packets to it still stay inside the namespace. Refuses
 * to touch a namespace with other interfaces: these tests may only reach 127.0.0.0/8.
 * Returns a function that removes the pair again.
 */
export function addLoopbackVeth() {
  const links = execFileSync('ip', ['-o', 'link', 'show']).toString().split('\n').filter(Boolean)
    .map((line) => line.split(':')[1].trim().split('@')[0]);
  const foreign = links.filter((name) => name !== 'lo' && name !== VETH && name !== VETH_PEER);
  if (foreign.length > 0) {
    throw new Error(`the Java peer tests must run in a loopback-only network namespace (bin/test runs them under unshare -n); found ${foreign.join(', ')}`);
  }
  if (!links.includes(VETH)) {
    execFileSync('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', VETH_PEER]);
    execFileSync('ip', ['addr', 'add', '127.0.0.2/8', 'dev', VETH]);
    execFileSync('ip', ['link', 'set', VETH, 'up']);
    execFileSync('ip', ['link', 'set', VETH_PEER, 'up']);
  }
  // Deleting one end deletes the pair; later test files then see the namespace as bin/test made it.
  return () => execFileSync('ip', ['link', 'del', VETH]);
}

/**
 * Starts `java -jar signalman-peer.jar ARGS`. Returns { stdout(), stderr(), line(regex, ms),
 * write(text), end(), exited (a promise of the exit code), kill() }.
 */
export function javaPeer(args, { cwd = root, env = {} } = {}) {
  const child = spawn('java', ['-jar', peerJar, ...args], {
    cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set();
  const wake = () => { for (const check of [...waiters]) check(); };
  child.stdout.on('data', (chunk) => { out += chunk; wake(); });
  child.stderr.on('data', (chunk) => { err += chunk; wake(); });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => { wake(); resolve(code ?? signal); }));
  return {
    stdout: () => out,
    stderr: () => err,
    /** Resolves with the first match of `regex` in stdout; rejects after `ms` or when the peer exits first. */
    line(regex, ms = 20000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no ${regex} from the Java peer in ${ms} ms\nstdout:\n${out}\nstderr:\n${err}`)); }, ms);
        function check() {
          const m = out.match(regex);
          if (m) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(m);
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`the Java peer exited with ${child.exitCode} before printing ${regex}\nstdout:\n${out}\nstderr:\n${err}`));
          }
        }
        waiters.add(check);
        check();
      });
    },
    write(text) { child.stdin.write(text); },
    end() { child.stdin.end(); },
    /** The exit code, or a rejection with the peer's output after `ms`. */
    exit(ms = 60000) {
      return Promise.race([exited, new Promise((_, reject) => setTimeout(() => reject(new Error(`the Java peer did not exit in ${ms} ms\nstdout:\n${out}\nstderr:\n${err}`)), ms).unref())]);
    },
    kill() { if (child.exitCode === null) child.kill('SIGKILL'); },
  };
}
