// What Signalman's peerjs dialect adds to the PeerJS server (peerjs-protocol.test.mjs holds what they
// share): the dialect on the main listener under /peerjs, in the same id space as its own listener;
// bounds on the messages that wait for an id; the transport's frame cap; metrics; a CORS allow-list.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { connect } from './support/client.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const OPEN = '{"type":"OPEN"}';

let server;
const sockets = new Set();
let unique = 0;
const peerId = (label = 'p') => `${label}${++unique}`;

before(async () => {
  server = await startServer(['--listen', 'peerjs@127.0.0.1:0', '--max-frame-bytes', '300000',
    '--peerjs-queue-limit', '2', '--peerjs-queue-bytes', '20000', '--peerjs-expire-timeout-ms', '60000',
    '--peerjs-cors-origin', 'http://ok.example']);
});

afterEach(async () => {
  const closing = [...sockets].map((ws) => { ws.terminate(); return ws.closed(); });
  sockets.clear();
  await Promise.all(closing);
  await sleep(100);
});

after(async () => {
  await server?.stop();
});

async function client(port, wsPath, id, token = 'tok') {
  const ws = await connect(`ws://127.0.0.1:${port}${wsPath}?key=peerjs&id=${id}&token=${token}&version=1.5.5`);
  sockets.add(ws);
  assert.equal(await ws.next(), OPEN);
  ws.id = id;
  return ws;
}
const onOwn = (id, token) => client(server.ports.peerjs, '/peerjs', id, token);
const onMain = (id, token) => client(server.ports.main, '/peerjs/peerjs', id, token);
const offer = (dst, n = 1) => JSON.stringify({ type: 'OFFER', payload: { sdp: { type: 'offer', sdp: 'v=0\r\n' }, n }, dst });

test('the main listener serves the dialect under /peerjs, in the same id space as its own listener', { timeout: 10000 }, async () => {
  const a = await onOwn(peerId('a'));
  const b = await onMain(peerId('b'));
  a.send(offer(b.id));
  assert.equal(await b.next(), `{"type":"OFFER","src":"${a.id}","dst":"${b.id}","payload":{"sdp":{"type":"offer","sdp":"v=0\\r\\n"},"n":1}}`);
  b.send(offer(a.id, 2));
  assert.equal(JSON.parse(await a.next()).src, b.id);
  const intruder = await connect(`ws://127.0.0.1:${server.ports.main}/peerjs/peerjs?key=peerjs&id=${a.id}&token=other`);
  sockets.add(intruder);
  assert.equal(await intruder.next(), '{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}');
  const id = await fetch(`http://127.0.0.1:${server.ports.main}/peerjs/peerjs/id`);
  assert.equal(id.status, 200);
  assert.match(await id.text(), /^[0-9a-f-]{36}$/);
  assert.equal((await fetch(`http://127.0.0.1:${server.ports.main}/peerjs`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${server.ports.main}/healthz`)).status, 200);
});

test('messages waiting for an id are bounded per id and in bytes; beyond the bounds the sender gets EXPIRE at once', { timeout: 10000 }, async () => {
  const a = await onOwn(peerId('a'));
  const ghost = peerId('ghost');
  a.send(offer(ghost, 1));
  a.send(offer(ghost, 2));
  await a.silent(200);
  a.send(offer(ghost, 3)); // a third for the same id is over --peerjs-queue-limit
  assert.equal(await a.next(), `{"type":"EXPIRE","src":"${ghost}","dst":"${a.id}"}`);
  const big = JSON.stringify({ type: 'OFFER', dst: peerId('other'), payload: 'x'.repeat(25000) }); // over --peerjs-queue-bytes
  a.send(big);
  assert.equal(await a.next(), `{"type":"EXPIRE","src":"${JSON.parse(big).dst}","dst":"${a.id}"}`);
  const g = await onOwn(ghost);
  assert.equal(JSON.parse(await g.next()).payload.n, 1);
  assert.equal(JSON.parse(await g.next()).payload.n, 2);
  await g.silent(200);
});

test('a frame over --max-frame-bytes closes its sender with 1009 and nobody else', { timeout: 10000 }, async () => {
  const x = await onOwn(peerId('x'));
  const y = await onOwn(peerId('y'));
  x.send(JSON.stringify({ type: 'OFFER', dst: y.id, payload: 'z'.repeat(400000) }));
  assert.equal((await x.closed()).code, 1009);
  await y.silent(200);
  const z = await onOwn(peerId('z'));
  z.send(offer(y.id));
  assert.equal(JSON.parse(await y.next()).src, z.id);
  assert.equal(y.closeInfo, null);
});

test('--peerjs-cors-origin limits which origins may read the API', { timeout: 10000 }, async () => {
  const url = `http://127.0.0.1:${server.ports.peerjs}/peerjs/id`;
  const ok = await fetch(url, { headers: { origin: 'http://ok.example' } });
  assert.equal(ok.headers.get('access-control-allow-origin'), 'http://ok.example');
  const other = await fetch(url, { headers: { origin: 'http://evil.example' } });
  assert.equal(other.status, 200);
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  assert.equal(other.headers.get('vary'), 'Origin');
});

test('metrics count the dialect\'s connections and refusals', { timeout: 10000 }, async () => {
  const a = await onOwn(peerId('a'), 't1');
  const intruder = await connect(`ws://127.0.0.1:${server.ports.peerjs}/peerjs?key=peerjs&id=${a.id}&token=t2`);
  sockets.add(intruder);
  await intruder.closed();
  const metrics = await (await fetch(`http://127.0.0.1:${server.ports.main}/metrics`)).text();
  assert.match(metrics, /signalman_connections_open\{dialect="peerjs"[^}]*\} [1-9]/);
  assert.match(metrics, /signalman_errors_total\{code="id-taken",dialect="peerjs"[^}]*\} [1-9]/);
  assert.match(metrics, /signalman_peers\{dialect="peerjs"[^}]*\} [1-9]/);
});
