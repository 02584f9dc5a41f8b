// The Java peer (bin/signalman peer, peer/target/signalman-peer.jar) end to end through Signalman:
// two Java peers send a 10 MB file over data channel `test`; the Java peer and a node-datachannel
// peer that behaves as seed 004's dist/peer.js connect with either one offering; exit codes. Runs in
// a loopback-only network namespace (bin/test); the jar comes from `mvn verify`.
// The node-datachannel peers run in child processes (support/ndc-runner.mjs): libdatachannel can
// abort at exit, and it must never share a process with @roamhq/wrtc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './support/server.mjs';
import { ndcPeer } from './support/ndc-runner.mjs';
import { javaPeer, requirePeerJar, addLoopbackVeth } from './support/java-peer.mjs';

let server;
let removeVeth;
let work;
const running = new Set();

before(async () => {
  requirePeerJar();
  removeVeth = addLoopbackVeth();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'signalman-peer-'));
  server = await startServer(['--listen', 'direct@127.0.0.1:0']);
});

after(async () => {
  for (const peer of running) peer.kill();
  await server?.stop();
  removeVeth?.();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function peer(args, options) {
  const p = javaPeer(args, options);
  running.add(p);
  return p;
}

const directUrl = () => `ws://127.0.0.1:${server.ports.direct}`;
const sha256 = (buffer) => crypto.createHash('sha256').update(buffer).digest('hex');

test('two Java peers send a 10 MB file through the direct dialect and the SHA-256 matches', async () => {
  const data = crypto.randomBytes(10 * 1024 * 1024);
  const file = path.join(work, 'ten-megabytes.bin');
  fs.writeFileSync(file, data);
  const receiveDir = path.join(work, 'received');

  // The receiver finds the server through the environment, the sender through .env, as seed 004's peer.
  const receiver = peer(['--id', 'JRCV', '--receive-dir', receiveDir, '--no-stdin'],
    { env: { SIGNALING_SERVER_ADDR: '127.0.0.1', SIGNALING_SERVER_PORT: String(server.ports.direct) } });
  await receiver.line(/The local ID is: JRCV/);
  const senderDir = path.join(work, 'sender');
  fs.mkdirSync(senderDir);
  fs.writeFileSync(path.join(senderDir, '.env'), `SIGNALING_SERVER_ADDR=127.0.0.1\nSIGNALING_SERVER_PORT=${server.ports.direct}\n`);
  const sender = peer(['--id', 'JSND', '--connect', 'JRCV', '--send-file', file, '--timeout', '60'],
    { cwd: senderDir, env: { SIGNALING_SERVER_ADDR: '', SIGNALING_SERVER_PORT: '' } });

  assert.equal(await sender.exit(90000), 0, sender.stderr());
  assert.equal(await receiver.exit(30000), 0, receiver.stderr());
  assert.match(sender.stdout(), /Message from JRCV: Hello from JRCV/);
  assert.match(receiver.stdout(), /Message from JSND: Hello from JSND/);
  const received = fs.readFileSync(path.join(receiveDir, 'ten-megabytes.bin'));
  assert.equal(received.length, data.length);
  assert.equal(sha256(received), sha256(data));
  assert.match(sender.stdout(), new RegExp(`SHA-256 ${sha256(data)} confirmed by JRCV`));
  assert.match(receiver.stdout(), new RegExp(`SHA-256 ${sha256(data)} verified`));
  assert.deepEqual(fs.readdirSync(receiveDir), ['ten-megabytes.bin'], 'no partial files are left behind');
});

test('Java peer offers to a node-datachannel seed-004 peer: channel `test`, both greet, a message follows', async (t) => {
  const node = ndcPeer(t, 'direct', { url: directUrl(), id: 'NODE1' });
  await node.opened();
  // The id typed at the original's prompt rather than --connect.
  const java = peer(['--url', directUrl(), '--id', 'JOFF', '--send', 'ping from java']);
  await java.line(/Enter a remote ID to send an offer:/);
  java.write('NODE1\n');
  const atNode = await node.waitFor(2);
  assert.deepEqual(atNode.slice(0, 2), ['Hello from JOFF', 'ping from java']);
  assert.deepEqual(node.labels(), ['test']);
  assert.equal(await java.exit(), 0, java.stderr());
  assert.match(java.stdout(), /Message from NODE1: Hello From NODE1/);
  await node.end();
});

test('node-datachannel seed-004 peer offers to the Java peer: both greet, typed lines travel, end of input exits 0', async (t) => {
  const java = peer(['--url', directUrl(), '--id', 'JANS']);
  await java.line(/The local ID is: JANS/);
  const node = ndcPeer(t, 'direct', { url: directUrl(), id: 'NODE2' });
  await node.opened();
  node.offerTo('JANS');
  await java.line(/Message from NODE2: Hello from NODE2/);
  assert.match(java.stdout(), /Offer received from NODE2/);
  java.write('a line typed at the Java peer\n');
  const atNode = await node.waitFor(2);
  assert.deepEqual(atNode.slice(0, 2), ['Hello from JANS', 'a line typed at the Java peer']);
  node.send('a reply from node');
  await java.line(/Message from NODE2: a reply from node/);
  java.end();
  assert.equal(await java.exit(), 0, java.stderr());
  await node.end();
});

test('exit codes: usage error 2, server unreachable 3, peer unknown to the native server 4, no answer 5', async () => {
  const usage = peer(['--protocol', 'native']);
  assert.equal(await usage.exit(), 2);
  assert.match(usage.stderr(), /--room/);

  // A port nobody listens on: bind one, note it, close it.
  const net = await import('node:net');
  const closedPort = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
  const unreachable = peer(['--url', `ws://127.0.0.1:${closedPort}`, '--connect', 'NOBODY', '--no-stdin']);
  assert.equal(await unreachable.exit(), 3, unreachable.stderr());
  assert.match(unreachable.stderr(), /Cannot reach the signaling server/);

  const unknown = peer(['--protocol', 'native', '--url', `ws://127.0.0.1:${server.ports.main}/v1/ws`, '--room', 'exit-codes',
    '--connect', 'nobody-here', '--no-stdin', '--ice-server', 'none']);
  assert.equal(await unknown.exit(), 4, unknown.stderr());
  assert.match(unknown.stderr(), /unreachable/);

  // The direct dialect drops frames to unknown ids without a word, so only the timeout tells.
  const silent = peer(['--url', directUrl(), '--connect', 'NOBODY', '--no-stdin', '--timeout', '2']);
  assert.equal(await silent.exit(), 5, silent.stderr());
  assert.match(silent.stderr(), /Timed out/);
});

test('two Java peers over the native protocol: room, server-assigned ids, greeting and a message', async () => {
  const url = `ws://127.0.0.1:${server.ports.main}/v1/ws`;
  // No STUN: the namespace reaches nothing but loopback, and the server's default list names public servers.
  const common = ['--protocol', 'native', '--url', url, '--room', 'java-native', '--ice-server', 'none'];
  const first = peer([...common, '--no-stdin']);
  const [, firstId] = await first.line(/The local ID is: (\S+)/);
  const second = peer([...common, '--connect', firstId, '--send', 'over the native protocol']);
  await second.line(/Joined room java-native; peers in it: /);
  assert.equal(await second.exit(), 0, second.stderr());
  await first.line(/Message from \S+: over the native protocol/);
  assert.equal(await first.exit(), 0, first.stderr());
  assert.match(first.stdout(), /Joined room java-native; no one else is in it yet/);
});
