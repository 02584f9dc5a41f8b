// Real peer connections set up through Signalman's plain-WebSocket dialects: the data channel
// opens and carries messages both ways. Runs in a loopback-only network namespace (see bin/test).
// node-datachannel and @roamhq/wrtc each bundle their own SCTP stack and crash at exit when loaded
// in one process, so this file loads only @roamhq/wrtc (node-datachannel peers run in children).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './support/server.mjs';
import { connect } from './support/client.mjs';
import { wrtcPeer, once, exchange } from './support/peers.mjs';

/** Waits for `promise`, but never longer than `ms`: a libwebrtc call left pending must not hang the file. */
const settled = (promise, ms = 5000) => Promise.race([promise, new Promise((r) => setTimeout(r, ms).unref())]);

let server;
let tlsServer;
let certDir;

before(async () => {
  server = await startServer(['--listen', 'pair@127.0.0.1:0', '--listen', 'broadcast@127.0.0.1:0']);
  certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalman-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(certDir, 'key.pem'),
    '-out', path.join(certDir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  tlsServer = await startServer(['--tls-cert', path.join(certDir, 'cert.pem'), '--tls-key', path.join(certDir, 'key.pem'),
    '--listen', 'pair@127.0.0.1:0']);
});

after(async () => {
  await server?.stop();
  await tlsServer?.stop();
  if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
});

/** A seed-002 client as the Android VideoCore behaves, on @roamhq/wrtc. */
async function pairClient(url, userId, remoteId, options = {}) {
  const ws = await connect(url, options);
  let peer;
  const send = (data) => ws.send(JSON.stringify({ type: 'message', data }));
  ws.send(JSON.stringify({ type: 'join', userId, remoteId }));
  const states = [];
  const pump = (async () => {
    for (;;) {
      let text;
      try { text = await ws.next(20000); } catch { return; }
      const msg = JSON.parse(text);
      states.push(msg.type);
      if (msg.type === 'created') peer = wrtcPeer({ initiator: true, signal: send });
      else if (msg.type === 'joined') peer = wrtcPeer({ initiator: false, signal: send });
      else if (msg.type === 'ready' && peer) await peer.offer();
      else if (msg.type === 'message') await peer.receive(msg.data);
    }
  })();
  return {
    ws,
    states,
    async channel() {
      for (let i = 0; i < 100 && !peer; i++) await new Promise((r) => setTimeout(r, 50));
      return peer.channel();
    },
    async close() {
      peer?.close();
      ws.send(JSON.stringify({ type: 'bye', userId, remoteId }));
      ws.close(1000, 'User ended call');
      await settled(pump);
    },
  };
}

for (const tls of [false, true]) {
  test(`pair${tls ? ' over TLS' : ''}: two @roamhq/wrtc peers follow the Android client's state machine`, async () => {
    const url = tls ? `wss://127.0.0.1:${tlsServer.ports.pair}` : `ws://127.0.0.1:${server.ports.pair}`;
    const options = tls ? { rejectUnauthorized: false } : {};
    const alice = await pairClient(url, 'alice', 'bob', options);
    // Bob joins only once alice has her room; a fixed pause lost that race on a loaded machine.
    for (let i = 0; i < 200 && !alice.states.includes('created'); i++) await new Promise((r) => setTimeout(r, 25));
    const bob = await pairClient(url, 'bob', 'alice', options);
    const [ca, cb] = await Promise.all([alice.channel(), bob.channel()]);
    const reply = once((cbk) => { ca.onmessage = (e) => cbk(e.data); }, 10000, 'reply at alice');
    cb.onmessage = (e) => cb.send('echo:' + e.data);
    ca.send('hi bob');
    assert.equal(await reply, 'echo:hi bob');
    assert.deepEqual(alice.states.slice(0, 3), ['created', 'roomInfo', 'ready']);
    assert.deepEqual(bob.states.slice(0, 2), ['joined', 'roomInfo']);
    await Promise.all([alice.close(), bob.close()]);
  });
}

test('broadcast: two @roamhq/wrtc peers exchange message_type frames and open a data channel', async () => {
  const url = `ws://127.0.0.1:${server.ports.broadcast}`;
  const [wsA, wsB] = await Promise.all([connect(url), connect(url)]);
  const toWire = (ws) => (m) => ws.send(JSON.stringify(m.type === 'candidate'
    ? { message_type: 'CANDIDATE', content: m.candidate }
    : { message_type: 'SDP', content: { type: m.type, sdp: m.sdp } }));
  const a = wrtcPeer({ initiator: true, signal: toWire(wsA) });
  const b = wrtcPeer({ initiator: false, signal: toWire(wsB) });
  const pump = (ws, peer) => (async () => {
    for (;;) {
      let text;
      try { text = await ws.next(20000); } catch { return; }
      const msg = JSON.parse(text);
      if (msg.message_type === 'SDP') await peer.receive(msg.content);
      else if (msg.message_type === 'CANDIDATE') await peer.receive({ type: 'candidate', candidate: msg.content });
    }
  })();
  const pumps = [pump(wsA, a), pump(wsB, b)];
  await a.offer();
  const [ca, cb] = await Promise.all([a.channel(), b.channel()]);
  cb.onmessage = (e) => cb.send('echo:' + e.data);
  assert.equal(await exchange(ca, 'over broadcast'), 'echo:over broadcast');
  a.close();
  b.close();
  wsA.close();
  wsB.close();
  await settled(Promise.all(pumps));
});
