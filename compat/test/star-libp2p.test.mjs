// Seed 000 (star) end to end with the real client (SEEDS.md §1.11 item 2): two @libp2p/webrtc-star
// 7.0.0 transports on @roamhq/wrtc listen through Signalman's star listener, A discovers B, dials
// it over WebRTC, and an /echo/1.0.0 stream carries "hello" there and back.
// Real WebRTC: run inside a loopback-only network namespace (bin/test does; by hand:
// `unshare -n bash -c 'ip link set lo up && node --test test/star-libp2p.test.mjs'`), with no
// STUN/TURN servers. node-datachannel must not be loaded in this file (both bundle an SCTP stack).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { webRTCStar } from '@libp2p/webrtc-star';
import { createEd25519PeerId } from '@libp2p/peer-id-factory';
import { mockUpgrader, mockRegistrar } from '@libp2p/interface-mocks';
import { EventEmitter } from '@libp2p/interfaces/events';
import { multiaddr } from '@multiformats/multiaddr';
import { pipe } from 'it-pipe';
import { startServer } from './support/server.mjs';
import { within } from './support/within.mjs';

const require = createRequire(import.meta.url);
const wrtc = require('@roamhq/wrtc');

const REFRESH = 1000;
const ECHO = '/echo/1.0.0';
// loopback only: no STUN, no TURN (the library's default is two public STUN servers)
const channelOptions = { peerConnectionConfig: { iceServers: [] } };

let server;
const cleanups = [];

before(async () => {
  server = await startServer(['--listen', 'star@127.0.0.1:0', '--star-refresh-ms', String(REFRESH)]);
});

after(async () => {
  for (const cleanup of cleanups.reverse()) {
    try { await cleanup(); } catch { /* best effort */ }
  }
  await server?.stop();
});

/** A libp2p node as far as the transport needs one: peer id, transport, discovery, upgrader. */
async function node(name) {
  const peerId = await createEd25519PeerId();
  const star = webRTCStar({ wrtc });
  const transport = star.transport({ peerId });
  const discovery = star.discovery();
  await discovery.start();
  const registrar = mockRegistrar();
  await registrar.handle(ECHO, ({ stream }) => {
    void pipe(stream, stream);
  });
  const upgrader = mockUpgrader({ registrar, events: new EventEmitter() });
  const listener = transport.createListener({ upgrader, channelOptions });
  cleanups.push(async () => { await listener.close(); await discovery.stop(); });
  return { name, peerId, transport, discovery, upgrader, listener };
}

async function metrics() {
  const res = await fetch(`http://127.0.0.1:${server.ports.star}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

test('two @libp2p/webrtc-star 7.0.0 peers discover each other, dial over WebRTC and echo "hello"', { timeout: 60000 }, async () => {
  const listen = multiaddr(`/ip4/127.0.0.1/tcp/${server.ports.star}/ws/p2p-webrtc-star`);
  const a = await node('A');
  const b = await node('B');

  // A listens first, so B's join is announced to A at once; the timer would do it within REFRESH ms anyway
  const discovered = new Promise((resolve) => {
    a.discovery.addEventListener('peer', (evt) => {
      if (evt.detail.id.equals(b.peerId)) resolve(evt.detail);
    });
  });
  await within(a.listener.listen(listen), 10000, 'A listening');
  await within(b.listener.listen(listen), 10000, 'B listening');

  const info = await within(discovered, 15000, 'A discovers B');
  const bAddr = listen.encapsulate(`/p2p/${b.peerId.toString()}`);
  assert.deepEqual(info.multiaddrs.map(String), [bAddr.toString()]);
  assert.deepEqual(a.transport.filter([bAddr]).map(String), [bAddr.toString()]);

  const connection = await within(a.transport.dial(bAddr, { upgrader: a.upgrader, channelOptions }), 20000, 'A dials B');
  assert.equal(connection.remotePeer.toString(), b.peerId.toString());
  const stream = await within(connection.newStream([ECHO]), 10000, 'echo stream');
  const reply = await within(pipe(
    [new TextEncoder().encode('hello')],
    stream,
    async (source) => {
      const chunks = [];
      for await (const chunk of source) chunks.push(chunk.subarray ? chunk.subarray() : chunk);
      return Buffer.concat(chunks.map((c) => Buffer.from(c))).toString();
    },
  ), 10000, 'echo reply');
  assert.equal(reply, 'hello');

  // what the server saw: both peers joined, one offer and its answer relayed
  const text = await metrics();
  assert.match(text, /^webrtc_star_peers 2$/m);
  assert.match(text, /^webrtc_star_joins_total_success 2$/m);
  assert.ok(Number(/^webrtc_star_dials_total_success (\d+)$/m.exec(text)[1]) >= 1, 'the answer went through the server');
  assert.match(text, /^webrtc_star_dials_total_failure 0$/m);

  const page = await fetch(`http://127.0.0.1:${server.ports.star}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(await page.text(), /signalling-server/);

  await connection.close();
});

test('a dial to a peer that is not (or no longer) on the server fails with ERR_SIGNALLING_FAILED', { timeout: 30000 }, async () => {
  const listen = multiaddr(`/ip4/127.0.0.1/tcp/${server.ports.star}/ws/p2p-webrtc-star`);
  const c = await node('C');
  await within(c.listener.listen(listen), 10000, 'C listening');
  const ghost = await createEd25519PeerId();
  const ghostAddr = listen.encapsulate(`/p2p/${ghost.toString()}`);
  await assert.rejects(within(c.transport.dial(ghostAddr, { upgrader: c.upgrader, channelOptions }), 15000, 'dial'),
    (err) => err.code === 'ERR_SIGNALLING_FAILED' && /peer is not available/.test(err.message));
});

test('Signalman stayed up', () => {
  assert.equal(server.alive(), true);
});
