// Seed 004 (direct, SEEDS.md §5): a peer connects to ws://HOST:PORT/<id>; a JSON frame addressed
// with "id" goes to that peer with "id" replaced by the sender's id. The original peer (dist/peer.js)
// uses node-datachannel's WebSocket and sends JSON.stringify({id, type, description}) and
// JSON.stringify({id, type: 'candidate', candidate, mid}); the replays below send exactly those
// frames with `ws` (node-datachannel's own client is driven in webrtc-datachannel.test.mjs).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { connect } from './support/client.mjs';

let server;
let root; // ws://127.0.0.1:<direct listener>
const sockets = new Set();
let unique = 0;

before(async () => {
  server = await startServer(['--listen', 'direct@127.0.0.1:0']);
  root = `ws://127.0.0.1:${server.ports.direct}`;
});

afterEach(async () => {
  const closing = [...sockets].map((ws) => { ws.terminate(); return ws.closed(); });
  sockets.clear();
  await Promise.all(closing);
  await sleep(50);
});

after(async () => {
  await server?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A peer id no other test uses: 4 characters of [A-Za-z0-9] like the original's nanoid. */
function peerId() {
  const n = ++unique;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return 'P' + alphabet[Math.floor(n / 62 / 62) % 62] + alphabet[Math.floor(n / 62) % 62] + alphabet[n % 62];
}

/** A `ws` client at `<origin><path>`; resolves once the server has registered it. */
async function open(path, origin = root) {
  const ws = await connect(origin + path);
  sockets.add(ws);
  await sleep(30);
  return ws;
}

/** What the original server sends: the parsed frame with id overwritten, re-serialized. */
const relayed = (frame, from) => JSON.stringify(Object.assign(JSON.parse(frame), { id: from }));

// The original peer's frames.
const offer = (to, description) => JSON.stringify({ id: to, type: 'offer', description });
const answer = (to, description) => JSON.stringify({ id: to, type: 'answer', description });
const candidate = (to, cand, mid) => JSON.stringify({ id: to, type: 'candidate', candidate: cand, mid });
const OFFER_SDP = 'v=0\r\no=rtc 2853109421 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n'
  + 'a=msid-semantic:WMS *\r\na=ice-options:ice2,trickle\r\n'
  + 'a=fingerprint:sha-256 5D:DB:BE:99:4A:F0:65:EB:FF:7A:62:35:58:6B:85:B3:6A:65:E4:B4:31:35:C7:7B:82:86:35:30:17:0C:C3:A0\r\n'
  + 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\n'
  + 'a=sctp-port:5000\r\na=max-message-size:262144\r\na=setup:actpass\r\n';
const ANSWER_SDP = OFFER_SDP.replace('a=setup:actpass', 'a=setup:active').replace('2853109421', '1136483211');

// ---- §5.3 and §5.8 ----------------------------------------------------------------------------

test('unknown target: silently dropped, the sender gets nothing and stays connected', async () => {
  const a = peerId(), b = peerId();
  const A = await open(`/${a}`);
  const B = await open(`/${b}`);
  A.send(offer('ZZZZ', OFFER_SDP));
  A.send(offer(b.toLowerCase() === b ? b.toUpperCase() : b.toLowerCase(), OFFER_SDP)); // ids are case-sensitive
  A.send(offer(`${b}?`, OFFER_SDP));
  A.send(offer(` ${b}`, OFFER_SDP));
  await Promise.all([A.silent(300), B.silent(0)]);
  assert.equal(A.closeInfo, null);
  A.send(offer(b, 'v=0'));
  assert.equal(await B.next(), relayed(offer(b, 'v=0'), a));
});

test('id is rewritten in place; every other field passes through unchanged and in order', async () => {
  const a = peerId(), b = peerId();
  const A = await open(`/${a}`);
  const B = await open(`/${b}`);
  const frames = [
    JSON.stringify({ id: b }),
    JSON.stringify({ type: 'offer', id: b, description: 'v=0' }),
    JSON.stringify({ type: 'x', description: 'v=0', id: b }),
    JSON.stringify({ id: b, type: 'candidate', candidate: 'a=candidate:1 1 UDP 1 10.0.0.1 9 typ host', mid: '0', sdpMLineIndex: 0, sdpMid: '0' }),
    JSON.stringify({ id: b, nested: { id: 'keep-me', list: [1, 'two', null, true, { id: 3 }] }, n: 1.5, u: 'héllo ✓ 🎉', esc: 'a"b\\c\n' }),
  ];
  for (const f of frames) A.send(f);
  for (const f of frames) assert.equal(await B.next(), relayed(f, a), f);
  await A.silent(200);
});

test('a self-addressed message is echoed back with the sender\'s id', async () => {
  const a = peerId();
  const A = await open(`/${a}`);
  const f = offer(a, 'v=0');
  A.send(f);
  assert.equal(await A.next(), f);
});

test('the peer id is the raw request path without its first "/", query string included', async () => {
  const a = peerId(), c = peerId(), d = peerId();
  const A = await open(`/${a}`);
  const C = await open(`/${c}?x=1`);
  const D = await open(`/${d}/sub%20path`);
  A.send(offer(c, 'v=0'));      // "c" alone is not registered
  A.send(offer(`${c}?x=1`, 'v=1'));
  assert.equal(await C.next(), relayed(offer(`${c}?x=1`, 'v=1'), a));
  C.send(offer(a, 'v=2'));
  assert.equal(await A.next(), relayed(offer(a, 'v=2'), `${c}?x=1`));
  A.send(offer(`${d}/sub%20path`, 'v=3'));
  assert.equal(await D.next(), relayed(offer(`${d}/sub%20path`, 'v=3'), a));
  D.send(offer(a, 'v=4'));
  assert.equal(await A.next(), `{"id":"${d}/sub%20path","type":"offer","description":"v=4"}`);
  await Promise.all([A.silent(200), C.silent(0), D.silent(0)]);
});

test('the path "/" registers the empty id', async () => {
  const a = peerId();
  const A = await open(`/${a}`);
  const E = await open('/');
  A.send(JSON.stringify({ id: '', type: 'offer', description: 'v=0' }));
  assert.equal(await E.next(), `{"id":"${a}","type":"offer","description":"v=0"}`);
  E.send(offer(a, 'v=1'));
  assert.equal(await A.next(), '{"id":"","type":"offer","description":"v=1"}');
});

test('a numeric id addresses the peer whose id is that number\'s text (JavaScript object keys)', async () => {
  const a = peerId();
  const num = String(4000 + (++unique));
  const A = await open(`/${a}`);
  const N = await open(`/${num}`);
  A.send(`{"id":${num},"type":"offer","description":"v=0"}`);
  assert.equal(await N.next(), `{"id":"${a}","type":"offer","description":"v=0"}`);
});

test('served on the main listener at /direct/<id>', async () => {
  const main = `ws://127.0.0.1:${server.ports.main}`;
  const a = peerId(), b = peerId();
  const A = await open(`/direct/${a}`, main);
  const B = await open(`/direct/${b}?q=1`, main);
  A.send(offer(`${b}?q=1`, 'v=0'));
  assert.equal(await B.next(), relayed(offer(`${b}?q=1`, 'v=0'), a));
  B.send(answer(a, 'v=0'));
  assert.equal(await A.next(), relayed(answer(a, 'v=0'), `${b}?q=1`));
});

test('duplicate id: the newest connection gets messages, and still does after the older one closes', async () => {
  const a = peerId(), dup = peerId();
  const A = await open(`/${a}`);
  const Old = await open(`/${dup}`);
  const New = await open(`/${dup}`);
  A.send(offer(dup, 'v=0'));
  assert.equal(await New.next(), relayed(offer(dup, 'v=0'), a));
  await Old.silent(200);
  // The older one can still send, under the shared id.
  Old.send(answer(a, 'v=old'));
  assert.equal(await A.next(), relayed(answer(a, 'v=old'), dup));
  Old.close();
  await Old.closed();
  await sleep(100);
  A.send(offer(dup, 'v=1'));
  assert.equal(await New.next(), relayed(offer(dup, 'v=1'), a));
  New.send(answer(a, 'v=new'));
  assert.equal(await A.next(), relayed(answer(a, 'v=new'), dup));
});

test('plain HTTP gets 426 Upgrade Required', async () => {
  for (const path of ['/', `/${peerId()}`]) {
    const res = await fetch(`http://127.0.0.1:${server.ports.direct}${path}`, { signal: AbortSignal.timeout(3000) });
    assert.equal(res.status, 426, path);
    assert.equal(await res.text(), '426 Upgrade Required');
  }
});

test('bad-input catalogue: ignored (invalid JSON killed the original), server alive, untouched peers unaffected', async () => {
  const a = peerId(), b = peerId();
  const A = await open(`/${a}`);
  const B = await open(`/${b}`);
  const garbage = [
    'not json', '{', `{"id":"${b}"`, `{"id":"${b}"}}`, `{"id":"${b}"} x`, `{"id":"${b}",}`, `{'id':'${b}'}`, `{id:"${b}"}`,
    '', ' ', 'null', 'true', '42', `"${b}"`, '[]', `[{"id":"${b}"}]`, '{}', '{"type":"offer"}', '{"id":null}',
    `{"id":{"x":"${b}"}}`, '{"id":true}', `{"id":"${b}","a":NaN}`, `{"id":"${b}","a":01}`,
    `{"id":"${b}","s":"a\u0000b"}`, `{"id":"${b}","s":"\\x"}`, '\u0000',
  ];
  for (const g of garbage) A.send(g);
  A.send(Buffer.from(JSON.stringify({ id: b, type: 'offer', description: 'v=0' })), { binary: true });
  A.send(Buffer.from([0xff, 0xfe, 0x00]), { binary: true });
  await B.silent(400);
  assert.equal(A.closeInfo, null, 'the sender stays connected');
  assert.ok(server.alive(), 'server still running');

  // An array id is looked up as String(["x"]) === "x", as the original's clients[msg.id] did.
  A.send(`{"id":["${b}"]}`);
  assert.equal(await B.next(), `{"id":"${a}"}`);

  // Huge but allowed: relayed exactly.
  const huge = offer(b, 'v=0\r\n' + 'a=x:'.padEnd(900_000, 'q'));
  A.send(huge);
  assert.equal(await B.next(5000), relayed(huge, a));
  const deep = `{"id":"${b}","d":${'['.repeat(20)}1${']'.repeat(20)}}`;
  A.send(deep);
  assert.equal(await B.next(), relayed(deep, a));
  B.send(answer(a, 'v=0'));
  assert.equal(await A.next(), relayed(answer(a, 'v=0'), b));

  // Two peers that saw none of it.
  const c = peerId(), d = peerId();
  const C = await open(`/${c}`);
  const D = await open(`/${d}`);
  C.send(offer(d, OFFER_SDP));
  assert.equal(await D.next(), relayed(offer(d, OFFER_SDP), c));
  D.send(answer(c, ANSWER_SDP));
  assert.equal(await C.next(), relayed(answer(c, ANSWER_SDP), d));
  await Promise.all([A.silent(200), B.silent(0), C.silent(0), D.silent(0)]);
});

test('a frame that starts with a BOM is invalid JSON (JSON.parse throws): ignored, not relayed', async () => {
  const a = peerId(), b = peerId();
  const A = await open(`/${a}`);
  const B = await open(`/${b}`);
  A.send(`\uFEFF{"id":"${b}","type":"offer","description":"v=0"}`);
  await B.silent(300);
});

test('non-canonical JSON (spaces, escapes, duplicate keys) arrives as the same JSON value, keys in order', async () => {
  const a = peerId(), b = peerId();
  const A = await open(`/${a}`);
  const B = await open(`/${b}`);
  const frames = [
    `{ "id" : "${b}" , "type" : "offer" , "description" : "v=0" }`,
    `{"id":"${b}","s":"\\u0041\\/\\u00e9","n":1.0,"m":1e2}`,
    `{"id":"ZZZZ","type":"offer","id":"${b}"}`,
  ];
  for (const f of frames) {
    A.send(f);
    const got = await B.next();
    const want = relayed(f, a);
    assert.deepEqual(JSON.parse(got), JSON.parse(want), f);
    assert.deepEqual(Object.keys(JSON.parse(got)), Object.keys(JSON.parse(want)), f);
  }
});
