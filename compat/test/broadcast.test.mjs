// Seed 003 (broadcast, SEEDS.md §4): every text frame goes verbatim to every other client of the
// same space, never back to its sender; the server never speaks on its own. The blog's browser
// client is replayed with `ws` clients sending exactly what it sends:
// JSON.stringify({message_type, content}) with an RTCSessionDescription or RTCIceCandidate.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { connect } from './support/client.mjs';
import { ndcPeer } from './support/ndc-runner.mjs';

let server;     // broadcast mode (the default)
let coded;      // --broadcast-by-code (the blog's Step 4)
let root;       // ws://127.0.0.1:<broadcast listener>
const sockets = new Set();

before(async () => {
  [server, coded] = await Promise.all([
    startServer(['--listen', 'broadcast@127.0.0.1:0']),
    startServer(['--listen', 'broadcast@127.0.0.1:0', '--broadcast-by-code']),
  ]);
  root = `ws://127.0.0.1:${server.ports.broadcast}`;
});

afterEach(async () => {
  const closing = [...sockets].map((ws) => { ws.terminate(); return ws.closed(); });
  sockets.clear();
  await Promise.all(closing);
  await sleep(50); // let the server see those sockets go before the next test connects
});

after(async () => {
  await Promise.all([server?.stop(), coded?.stop()]);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function open(url) {
  const ws = await connect(url);
  sockets.add(ws);
  return ws;
}

/** `count` clients on `url`; resolves once the server has registered all of them. */
async function clients(count, url = `${root}/`) {
  const list = [];
  for (let i = 0; i < count; i++) list.push(await open(url));
  await sleep(50);
  return list;
}

// The blog client's frames (JSON.stringify of the browser objects' toJSON()).
const SDP_OFFER = JSON.stringify({ message_type: 'SDP', content: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n' } });
const SDP_ANSWER = JSON.stringify({ message_type: 'SDP', content: { type: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' } });
const CANDIDATE = JSON.stringify({ message_type: 'CANDIDATE', content: { candidate: 'candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host generation 0 ufrag Ab3d network-id 1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'Ab3d' } });

async function expectFrames(ws, expected, label = '') {
  for (let i = 0; i < expected.length; i++) {
    const got = await ws.next(3000).catch((e) => { throw new Error(`${label} frame ${i}: expected ${expected[i]}, but ${e.message}`); });
    assert.equal(got, expected[i], `${label} frame ${i}`);
  }
}

// ---- §4.5 and §4.8 ------------------------------------------------------------------------

test('§4.5 transcript: A\'s offer reaches B, C and a client on an odd path byte for byte, never A', async () => {
  const [A, B, C] = await clients(3);
  const D = await open(`${root}/x?y=1`);
  await sleep(50);
  await Promise.all([A, B, C, D].map((ws) => ws.silent(100))); // no welcome, no join notices
  A.send('{"message_type":"SDP","content":{"type":"offer","sdp":"v=0"}}');
  for (const ws of [B, C, D]) assert.equal(await ws.next(), '{"message_type":"SDP","content":{"type":"offer","sdp":"v=0"}}');
  B.send('hello not json');
  for (const ws of [A, C, D]) assert.equal(await ws.next(), 'hello not json');
  await Promise.all([A.silent(200), B.silent(0), C.silent(0), D.silent(0)]);
});

test('the blog client\'s offer, answer and candidates: verbatim, in order, to every other client', async () => {
  const [A, B, C] = await clients(3);
  A.send(SDP_OFFER);
  A.send(CANDIDATE);
  await expectFrames(B, [SDP_OFFER, CANDIDATE], 'B');
  await expectFrames(C, [SDP_OFFER, CANDIDATE], 'C');
  B.send(SDP_ANSWER);
  B.send(CANDIDATE.replace('192.168.1.2', '192.168.1.3'));
  await expectFrames(A, [SDP_ANSWER, CANDIDATE.replace('192.168.1.2', '192.168.1.3')], 'A');
  await expectFrames(C, [SDP_ANSWER, CANDIDATE.replace('192.168.1.2', '192.168.1.3')], 'C');
  await Promise.all([A.silent(200), B.silent(0), C.silent(0)]);
});

test('per-sender order is kept for a burst of 200 messages; nothing echoes', async () => {
  const [A, B] = await clients(2);
  const sent = Array.from({ length: 200 }, (_, i) => JSON.stringify({ message_type: 'CANDIDATE', content: { candidate: `candidate:${i} 1 udp 1 10.0.0.1 ${1000 + i} typ host`, sdpMid: '0', sdpMLineIndex: 0 } }));
  for (const m of sent) A.send(m);
  for (const m of sent) assert.equal(await B.next(), m);
  await A.silent(200);
});

test('closing B stops delivery to B; the others still get everything, with no leave notice', async () => {
  const [A, B, C] = await clients(3);
  B.close();
  await B.closed();
  await sleep(100);
  await Promise.all([A.silent(100), C.silent(0)]);
  A.send(SDP_OFFER);
  assert.equal(await C.next(), SDP_OFFER);
  C.send(SDP_ANSWER);
  assert.equal(await A.next(), SDP_ANSWER);
  const E = await open(`${root}/`);
  await sleep(50);
  A.send(CANDIDATE);
  assert.equal(await C.next(), CANDIDATE);
  assert.equal(await E.next(), CANDIDATE);
  await Promise.all([A.silent(200), C.silent(0), E.silent(0)]);
});

test('invalid JSON and every other text is relayed verbatim (the server never parses)', async () => {
  const [A, B, C] = await clients(3);
  const texts = ['hello not json', '{', 'null', '[]', '[1,2,3]', '42', '""', '{"message_type":"SDP"}',
    '{ "spaced" : 1.0 , "esc":"\\u0041\\/" }', 'héllo wörld ✓ 🎉', '\uFEFF{"bom":true}', ' ', '\t\r\n', ''];
  for (const t of texts) A.send(t);
  for (const ws of [B, C]) for (const t of texts) assert.equal(await ws.next(), t, JSON.stringify(t));
  await A.silent(200);
});

test('binary frames are ignored: server alive, others untouched, sender still relays text', async () => {
  const [A, B, C] = await clients(3);
  C.send(Buffer.from([0x01, 0x02, 0x03]), { binary: true });
  C.send(Buffer.from(SDP_OFFER), { binary: true });
  await Promise.all([A.silent(300), B.silent(0)]);
  assert.ok(server.alive(), 'server still running');
  assert.equal(C.closeInfo, null);
  C.send(CANDIDATE);
  assert.equal(await A.next(), CANDIDATE);
  assert.equal(await B.next(), CANDIDATE);
});

test('bad-input catalogue: server alive and a second, untouched pair still exchanges messages', async () => {
  const [A, B] = await clients(2);
  // Binary (it killed the original), garbage text, and big frames.
  A.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), { binary: true });
  A.send(Buffer.alloc(70_000, 7), { binary: true });
  A.send('\u0000\u0001\u0002');
  assert.equal(await B.next(), '\u0000\u0001\u0002');
  // Within the original's limits (64 KiB frame) ...
  const big = JSON.stringify({ message_type: 'SDP', content: { type: 'offer', sdp: 'v=0\r\n' + 'a=x:'.padEnd(60_000, 'y') } });
  A.send(big);
  assert.equal(await B.next(), big);
  // ... and beyond them but within Signalman's 1 MiB.
  const huge = 'z'.repeat(900_000);
  A.send(huge);
  assert.equal(await B.next(5000), huge);
  await B.silent(200);
  assert.ok(server.alive(), 'server still running');

  // A second space of two that saw none of it (on the main listener) ...
  const main = `ws://127.0.0.1:${server.ports.main}/broadcast`;
  const [P, Q] = await clients(2, main);
  P.send(SDP_OFFER);
  assert.equal(await Q.next(), SDP_OFFER);
  Q.send(SDP_ANSWER);
  assert.equal(await P.next(), SDP_ANSWER);
  // ... and the first pair keeps working too.
  B.send(CANDIDATE);
  assert.equal(await A.next(), CANDIDATE);
  await Promise.all([A.silent(200), B.silent(0), P.silent(0), Q.silent(0)]);
});

test('/broadcast on the main listener and the broadcast listener\'s root are separate spaces', async () => {
  const main = `ws://127.0.0.1:${server.ports.main}/broadcast`;
  const [M1, M2] = await clients(2, main);
  const [R1, R2] = await clients(2);
  M1.send('from main');
  assert.equal(await M2.next(), 'from main');
  R1.send('from root');
  assert.equal(await R2.next(), 'from root');
  await Promise.all([M1.silent(300), M2.silent(0), R1.silent(0), R2.silent(0)]);
});

test('plain HTTP gets 426 (the original never answered)', async () => {
  for (const url of [`http://127.0.0.1:${server.ports.broadcast}/`, `http://127.0.0.1:${server.ports.broadcast}/x?y=1`]) {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    assert.equal(res.status, 426, url);
    await res.arrayBuffer();
  }
  assert.ok(server.alive());
});

// ---- §4.6: --broadcast-by-code (the blog's Step 4 client adds `code` to every message) -----

test('code mode: a frame goes only to the first other client registered with the same code', async () => {
  const url = `ws://127.0.0.1:${coded.ports.broadcast}/`;
  const [P1, P2, P3, P4] = await clients(4, url);
  const step4 = (message, code) => JSON.stringify({ ...JSON.parse(message), code });
  const code = '111111111';

  // P1 registers; nobody else has the code yet, so its first frame goes nowhere.
  P1.send(step4(SDP_OFFER, code));
  await Promise.all([P2.silent(200), P3.silent(0), P4.silent(0)]);
  // P2 registers and reaches P1, the first other with the code.
  P2.send(step4(SDP_ANSWER, code));
  assert.equal(await P1.next(), step4(SDP_ANSWER, code));
  // P1 now reaches P2.
  P1.send(step4(CANDIDATE, code));
  assert.equal(await P2.next(), step4(CANDIDATE, code));
  // P3 uses another code: alone, so nothing is delivered, and it never hears the others.
  P3.send(step4(SDP_OFFER, '222222222'));
  // P4 joins the first code with a number (the same object key in JavaScript): its frame goes to P1.
  P4.send(step4(SDP_OFFER, 111111111));
  assert.equal(await P1.next(), step4(SDP_OFFER, 111111111));
  // P2 and P1 keep talking to each other; P4 hears nothing (it is never the first other).
  P2.send(step4(CANDIDATE, code));
  assert.equal(await P1.next(), step4(CANDIDATE, code));
  P1.send(step4(SDP_OFFER, code));
  assert.equal(await P2.next(), step4(SDP_OFFER, code));
  await Promise.all([P1.silent(300), P2.silent(0), P3.silent(0), P4.silent(0)]);
});

test('code mode: invalid JSON, frames without a code and binary are ignored; the server stays up', async () => {
  const url = `ws://127.0.0.1:${coded.ports.broadcast}/`;
  const [P1, P2] = await clients(2, url);
  const code = `c${Date.now()}`;
  P1.send(JSON.stringify({ message_type: 'SDP', content: { type: 'offer', sdp: 'v=0' }, code }));
  await P2.silent(150); // P1 is registered first (frames of different sockets are not ordered)
  P2.send(JSON.stringify({ message_type: 'SDP', content: { type: 'answer', sdp: 'v=0' }, code }));
  assert.equal(await P1.next(), JSON.stringify({ message_type: 'SDP', content: { type: 'answer', sdp: 'v=0' }, code }));
  for (const bad of ['not json', '{', 'null', '[]', '42', '{"message_type":"SDP"}', '{"code":null}', '{"code":{"a":1}}']) P2.send(bad);
  P2.send(Buffer.from([1, 2, 3]), { binary: true });
  await P1.silent(300);
  assert.ok(coded.alive(), 'server still running');
  const again = JSON.stringify({ message_type: 'CANDIDATE', content: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 }, code });
  P2.send(again);
  assert.equal(await P1.next(), again);
});

// ---- Optional end to end (§4.8) ---------------------------------------------------------------

test('end to end: two node-datachannel peers exchange {message_type, content} and open a data channel', async (t) => {
  // Each peer plays the blog client in a child process (support/ndc-peer.mjs, mode `broadcast`).
  const B = ndcPeer(t, 'broadcast', { url: `${root}/`, name: 'B', offerer: false });
  await B.opened();
  await sleep(50); // let the server register B: A's offer goes only to clients already there
  const A = ndcPeer(t, 'broadcast', { url: `${root}/`, name: 'A', offerer: true });
  // The budget includes starting the child and loading libdatachannel in it.
  assert.deepEqual(await A.waitFor(1, 15_000), ['Hello From B']);
  assert.deepEqual(await B.waitFor(1, 2_000), ['Hello from A']);
  await Promise.all([A.end(), B.end()]);
});
