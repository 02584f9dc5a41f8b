// The JavaScript SDK (server/src/main/resources/web/sdk/signalman.js) against a running node: the
// native protocol's requests and events, request ids and their promises, and how the client lives
// through lost connections (backoff, resume token, rejoining rooms, dead-link detection).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startServer } from './support/server.mjs';
import { startProxy } from './support/proxy.mjs';
import { SignalmanClient, SignalmanError } from '../../server/src/main/resources/web/sdk/signalman.js';
import { within } from './support/within.mjs';

const SDK_FILE = fileURLToPath(new URL('../../server/src/main/resources/web/sdk/signalman.js', import.meta.url));
const STUN = 'stun:stun.example.org:3478';
const CAPACITY = 3;

let server;
let url;
let noResume; // a node that ends every session with its connection (--resume-window-ms 0)
const clients = new Set();
const proxies = new Set();
let unique = 0;

before(async () => {
  [server, noResume] = await Promise.all([
    startServer(['--ice-server', STUN, '--room-capacity', String(CAPACITY)]),
    startServer(['--ice-server', STUN, '--room-capacity', String(CAPACITY), '--resume-window-ms', '0']),
  ]);
  url = `ws://127.0.0.1:${server.ports.main}/v1/ws`;
});

afterEach(async () => {
  for (const client of clients) client.close();
  clients.clear();
  for (const proxy of proxies) await proxy.close();
  proxies.clear();
});

after(async () => {
  await Promise.all([server?.stop(), noResume?.stop()]);
});

const room = () => `room-${process.pid}-${++unique}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A WebSocket class that records the URLs it opens and the text it sends. */
function spyingWebSocket() {
  const urls = [];
  const sent = [];
  class Spy extends WebSocket {
    constructor(address, ...rest) {
      super(address, ...rest);
      urls.push(address);
    }
    send(data, ...rest) {
      sent.push(JSON.parse(String(data)));
      return super.send(data, ...rest);
    }
  }
  return { Spy, urls, sent };
}

function newClient({ target = url, ...options } = {}) {
  const client = new SignalmanClient(target, { WebSocket, ...options });
  clients.add(client);
  return client;
}

async function connected(options) {
  const client = newClient(options);
  await within(client.connect(), 5000, 'welcome');
  return client;
}

async function proxy(to = server) {
  const p = await startProxy(to.ports.main);
  proxies.add(p);
  return p;
}

/** Every event of `type` the emitter sends from now on. */
function record(emitter, type) {
  const events = [];
  emitter.on(type, (detail) => events.push(detail));
  return events;
}

/**
 * Resolves once `predicate()` holds, polling; rejects after `ms`. Events caused by another
 * connection have no fixed order against this connection's replies, so tests wait for them.
 */
async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms`);
    await sleep(5);
  }
}

async function rejects(promise, code) {
  const error = await within(promise.then(() => null, (e) => e), 5000, `rejection with ${code}`);
  assert.ok(error instanceof SignalmanError, `expected a SignalmanError ${code}, got ${error}`);
  assert.equal(error.code, code);
  return error;
}

test('the SDK under test is the file the server serves', async () => {
  const response = await fetch(`http://127.0.0.1:${server.ports.main}/sdk/signalman.js`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(await response.text(), fs.readFileSync(SDK_FILE, 'utf8'));
});

test('connect resolves with the welcome: peer id, resume token and ICE servers', { timeout: 10000 }, async () => {
  const client = newClient();
  const states = record(client, 'state');
  assert.equal(client.state, 'idle');
  const welcome = await within(client.connect(), 5000, 'welcome');
  assert.deepEqual(states.map((s) => s.state), ['connecting', 'open']);
  assert.match(welcome.peer, /^[0-9A-Za-z]{10}$/);
  assert.match(welcome.session, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(client.peer, welcome.peer);
  assert.equal(client.session, welcome.session);
  assert.deepEqual(client.iceServers, [{ urls: [STUN] }]);
  assert.deepEqual(await client.ice(), [{ urls: [STUN] }]);
  assert.equal(typeof await client.ping(), 'number');
  // A second connect() has nothing left to wait for.
  assert.equal(await client.connect(), welcome);
});

test('join and leave announce members on both sides, with meta and in join order', { timeout: 10000 }, async () => {
  const name = room();
  const [a, b, c] = await Promise.all([connected(), connected(), connected()]);
  const aJoined = record(a, 'peer-joined');
  const aLeft = record(a, 'peer-left');
  const bJoined = record(b, 'peer-joined');
  const bLeft = record(b, 'peer-left');

  assert.deepEqual(await a.join(name, { name: 'ann' }), { room: name, peers: [] });
  assert.deepEqual(await b.join(name), { room: name, peers: [{ peer: a.peer, meta: { name: 'ann' } }] });
  const cJoin = await c.join(name, { name: 'cy', tags: [1, 2] });
  assert.deepEqual(cJoin.peers.map((m) => m.peer), [a.peer, b.peer]);
  await until(() => aJoined.length === 2 && bJoined.length === 2, 2000, 'peer-joined of c');
  assert.deepEqual(bJoined, [
    { room: name, peer: a.peer, meta: { name: 'ann' }, existing: true },
    { room: name, peer: c.peer, meta: { name: 'cy', tags: [1, 2] }, existing: false },
  ]);
  // Compared without order: the SDK keeps the order it receives, and this server can deliver two
  // joiners' presence out of order when they run on different event loops (reported separately).
  const byPeer = (x, y) => (x.peer < y.peer ? -1 : 1);
  assert.deepEqual(aJoined.map((e) => ({ peer: e.peer, existing: e.existing })).sort(byPeer),
    [{ peer: b.peer, existing: false }, { peer: c.peer, existing: false }].sort(byPeer));
  assert.deepEqual(a.members(name).map((m) => m.peer), aJoined.map((e) => e.peer));
  assert.deepEqual(b.rooms, [name]);

  await b.leave(name);
  await until(() => aLeft.length > 0, 2000, 'peer-left at a');
  assert.deepEqual(aLeft, [{ room: name, peer: b.peer, reason: 'left' }]);
  // The leaver is told that everyone is gone from its point of view.
  assert.deepEqual(bLeft.map((e) => [e.peer, e.reason]), [[a.peer, 'you-left'], [c.peer, 'you-left']]);
  assert.deepEqual(b.rooms, []);
  assert.deepEqual(a.members(name).map((m) => m.peer), [c.peer]);
  await rejects(b.leave(name), 'not-in-room');
});

test('signal and broadcast resolve on the ack and reach only their targets', { timeout: 10000 }, async () => {
  const name = room();
  const [a, b, c] = await Promise.all([connected(), connected(), connected()]);
  for (const client of [a, b, c]) await client.join(name);
  const bSignals = record(b, 'signal');
  const cSignals = record(c, 'signal');
  const broadcasts = { a: record(a, 'broadcast'), b: record(b, 'broadcast'), c: record(c, 'broadcast') };

  assert.equal(await a.signal(b.peer, { type: 'offer', sdp: 'v=0' }, { room: name }), undefined);
  assert.equal(await a.signal(b.peer, [1, 'two', null]), undefined);
  assert.equal(await a.broadcast(name, { muted: true }), undefined);
  await until(() => bSignals.length === 2 && broadcasts.b.length === 1 && broadcasts.c.length === 1, 2000, 'relays');
  await Promise.all([a.ping(), c.ping()]); // a moment for anything that should not come
  assert.deepEqual(bSignals, [
    { from: a.peer, room: name, data: { type: 'offer', sdp: 'v=0' } },
    { from: a.peer, room: undefined, data: [1, 'two', null] },
  ]);
  assert.deepEqual(cSignals, []);
  assert.deepEqual(broadcasts.b, [{ room: name, from: a.peer, data: { muted: true } }]);
  assert.deepEqual(broadcasts.c, broadcasts.b);
  assert.deepEqual(broadcasts.a, []);
});

test('each request carries a fresh id and its promise settles with the answer to that id', { timeout: 10000 }, async () => {
  const spy = spyingWebSocket();
  const a = await connected({ WebSocket: spy.Spy });
  const outcome = (p) => p.then((value) => ({ value }), (error) => ({ error }));
  // All sent before any answer arrives: only the ids can pair answers with promises.
  const [missing, self, pinged, joined, notMember] = await Promise.all([
    outcome(a.signal('nobody0000', 1)),
    outcome(a.signal(a.peer, 1)),
    outcome(a.ping()),
    outcome(a.join(room())),
    outcome(a.broadcast('never-joined', 1)),
  ]);
  const ids = spy.sent.map((frame) => frame.id);
  assert.equal(ids.length, 5);
  assert.equal(new Set(ids).size, 5);
  for (const id of ids) assert.ok(Number.isInteger(id));

  const sentAs = (test) => spy.sent.find(test).id;
  assert.equal(missing.error.code, 'peer-unavailable');
  assert.equal(missing.error.frame.re, sentAs((f) => f.to === 'nobody0000'));
  assert.equal(self.error.code, 'bad-request');
  assert.equal(self.error.frame.re, sentAs((f) => f.to === a.peer));
  assert.equal(typeof pinged.value, 'number');
  assert.deepEqual(joined.value.peers, []);
  assert.equal(notMember.error.code, 'not-in-room');
  assert.equal(notMember.error.frame.re, sentAs((f) => f.type === 'broadcast'));
});

test('a full room refuses the join with room-full', { timeout: 10000 }, async () => {
  const name = room();
  const members = await Promise.all(Array.from({ length: CAPACITY }, () => connected()));
  for (const member of members) await member.join(name);
  const late = await connected();
  const error = await rejects(late.join(name), 'room-full');
  assert.equal(error.frame.type, 'error');
  assert.deepEqual(late.rooms, []);
});

test('a request above the server limit is refused without being sent', { timeout: 10000 }, async () => {
  const spy = spyingWebSocket();
  const a = await connected({ WebSocket: spy.Spy });
  const limit = a.welcome.limits.messageBytes;
  // Multi-byte characters: the limit is in bytes, not characters.
  await rejects(a.signal('somebody00', 'é'.repeat(Math.ceil(limit / 2))), 'too-large');
  assert.deepEqual(spy.sent, []);
  assert.equal(typeof await a.ping(), 'number');
});

test('a cut connection resumes: the same peer in the same rooms, nothing announced, and what was sent meanwhile arrives', { timeout: 15000 }, async () => {
  const name = room();
  const relay = await proxy();
  const spy = spyingWebSocket();
  const a = await connected();
  const b = await connected({ target: `ws://127.0.0.1:${relay.port}/v1/ws`, WebSocket: spy.Spy, minDelayMs: 300, maxDelayMs: 400 });
  await a.join(name, { name: 'ann' });
  const aSawB = a.next('peer-joined');
  await b.join(name, { name: 'bo' });
  await within(aSawB, 2000, 'peer-joined of b');
  const aLeft = record(a, 'peer-left');
  const bLeft = record(b, 'peer-left');
  const bSignals = record(b, 'signal');
  const bStates = record(b, 'state');
  const before = { peer: b.peer, session: b.session };

  relay.cut();
  await until(() => b.state === 'reconnecting', 2000, 'b notices the cut');
  for (let i = 0; i < 3; i++) await a.signal(b.peer, `meanwhile ${i}`, { room: name }); // held by the server
  await until(() => b.state === 'open', 5000, 'b back');
  await until(() => bSignals.length === 3, 2000, 'the held signals');

  assert.equal(b.welcome.resumed, true);
  assert.deepEqual(b.welcome.rooms, [name]);
  assert.equal(b.peer, before.peer);
  assert.equal(b.session, before.session);
  assert.equal(new URL(spy.urls[1]).searchParams.get('resume'), before.session);
  assert.deepEqual(bSignals.map((e) => e.data), ['meanwhile 0', 'meanwhile 1', 'meanwhile 2']);
  assert.deepEqual(bStates.map((s) => s.state), ['reconnecting', 'open']);
  assert.deepEqual(b.rooms, [name]);
  assert.deepEqual(b.members(name).map((m) => m.peer), [a.peer]);

  const got = a.next('signal');
  await b.signal(a.peer, 'after', { room: name });
  assert.deepEqual(await within(got, 2000, 'signal'), { from: b.peer, room: name, data: 'after' });
  assert.deepEqual(aLeft, []);
  assert.deepEqual(bLeft, []);
});

test('a cut connection to a node that does not keep sessions comes back as a new session and joins its rooms again', { timeout: 15000 }, async () => {
  const name = room();
  const relay = await proxy(noResume);
  const spy = spyingWebSocket();
  const a = await connected({ target: `ws://127.0.0.1:${noResume.ports.main}/v1/ws` });
  const b = await connected({ target: `ws://127.0.0.1:${relay.port}/v1/ws`, WebSocket: spy.Spy, minDelayMs: 50, maxDelayMs: 200 });
  await a.join(name, { name: 'ann' });
  const aSawB = a.next('peer-joined');
  await b.join(name, { name: 'bo' });
  await within(aSawB, 2000, 'peer-joined of b');
  const aLeft = a.next('peer-left');
  const aJoined = a.next('peer-joined');
  const bStates = record(b, 'state');
  const bLeft = record(b, 'peer-left');
  const bJoined = record(b, 'peer-joined');
  const before = { peer: b.peer, session: b.session };

  relay.cut();
  assert.deepEqual(await within(aLeft, 3000, 'peer-left at a'), { room: name, peer: before.peer, reason: 'disconnected' });
  const back = await within(aJoined, 5000, 'the rejoin at a');
  await until(() => bJoined.length > 0, 2000, 'the rejoin at b');
  assert.equal(b.state, 'open');
  assert.deepEqual(bStates.map((s) => s.state), ['reconnecting', 'open']);
  assert.equal(bStates[0].code, 1006);
  assert.ok(bStates[0].retryInMs >= 25 && bStates[0].retryInMs <= 50, `first delay ${bStates[0].retryInMs}`);
  assert.equal(bStates[1].attempt, 0);

  // This node does not resume: a new peer id, announced with the meta b joined with.
  assert.notEqual(b.peer, before.peer);
  assert.deepEqual(back, { room: name, peer: b.peer, meta: { name: 'bo' }, existing: false });
  assert.equal(spy.urls.length, 2);
  assert.equal(new URL(spy.urls[1]).searchParams.get('resume'), before.session);
  assert.notEqual(b.session, before.session);
  assert.deepEqual(bLeft, [{ room: name, peer: a.peer, reason: 'session-lost' }]);
  assert.deepEqual(bJoined, [{ room: name, peer: a.peer, meta: { name: 'ann' }, existing: true }]);

  const got = a.next('signal');
  await b.signal(a.peer, 'after', { room: name });
  assert.deepEqual(await within(got, 2000, 'signal'), { from: b.peer, room: name, data: 'after' });
});

test('while the server is down the client backs off, and waiting requests go out once it is back', { timeout: 20000 }, async () => {
  const name = room();
  const later = room();
  const relay = await proxy();
  const a = await connected();
  const b = await connected({ target: `ws://127.0.0.1:${relay.port}/v1/ws`, minDelayMs: 40, maxDelayMs: 160 });
  await a.join(name);
  await b.join(name);
  const states = record(b, 'state');

  // In flight when the link dies: a join is sent again on the next session, a signal fails.
  relay.freeze();
  const inFlightJoin = b.join(later);
  const inFlightSignal = b.signal(a.peer, 'lost');
  await sleep(50);
  await relay.refuse();
  await rejects(inFlightSignal, 'disconnected');

  await within((async () => { while (states.length < 5) await sleep(10); })(), 5000, 'five failed attempts');
  states.forEach((s, i) => {
    const ceiling = Math.min(160, 40 * 2 ** (s.attempt - 1));
    assert.equal(s.attempt, i + 1);
    assert.equal(s.state, 'reconnecting');
    assert.ok(s.retryInMs >= ceiling / 2 && s.retryInMs <= ceiling, `attempt ${s.attempt}: ${s.retryInMs} ms, ceiling ${ceiling}`);
  });

  // Made during the outage: queued, sent after the rooms are joined again.
  const queuedSignal = b.signal(a.peer, 'queued', { room: name });
  const aSignal = a.next('signal');
  relay.thaw();
  await relay.accept();
  assert.deepEqual((await within(inFlightJoin, 5000, 'the resent join')).peers, []);
  await within(queuedSignal, 5000, 'the queued signal');
  assert.deepEqual(await aSignal, { from: b.peer, room: name, data: 'queued' });
  assert.deepEqual(b.rooms.sort(), [name, later].sort());
  assert.equal(states.at(-1).state, 'open');
});

test('a silent link is noticed by the ping and replaced; unanswered requests time out', { timeout: 15000 }, async () => {
  const relay = await proxy();
  const target = `ws://127.0.0.1:${relay.port}/v1/ws`;
  const b = await connected({ target, pingIntervalMs: 200, pongTimeoutMs: 300, minDelayMs: 50 });
  const slow = await connected({ target, requestTimeoutMs: 300, pingIntervalMs: 60000 });
  const states = record(b, 'state');
  const frozenAt = Date.now();
  relay.freeze();

  await rejects(slow.ping(), 'timeout');
  const lost = await within(b.next('state'), 3000, 'the dead link noticed');
  const noticedAfter = Date.now() - frozenAt;
  assert.equal(lost.state, 'reconnecting');
  assert.ok(noticedAfter >= 200, `noticed after ${noticedAfter} ms, before a ping could go unanswered`);
  relay.thaw();
  await within(b.next('state', (s) => s.state === 'open'), 5000, 'the new session');
  assert.deepEqual(states.map((s) => s.state), ['reconnecting', 'open']);
  assert.equal(typeof await b.ping(), 'number');
});

test('close() ends for good: connect() and waiting requests reject with closed, and no retry follows', { timeout: 10000 }, async () => {
  const relay = await proxy();
  await relay.refuse();
  const spy = spyingWebSocket();
  const c = newClient({ target: `ws://127.0.0.1:${relay.port}/v1/ws`, WebSocket: spy.Spy, minDelayMs: 20, maxDelayMs: 40 });
  const opened = c.connect();
  const join = c.join(room());
  await within((async () => { while (spy.urls.length < 3) await sleep(10); })(), 3000, 'three attempts');
  assert.equal(c.state, 'connecting');
  c.close();
  await rejects(opened, 'closed');
  await rejects(join, 'closed');
  assert.equal(c.state, 'closed');
  const attempts = spy.urls.length;
  await sleep(150);
  assert.equal(spy.urls.length, attempts);
  await rejects(c.ping(), 'closed');
});

test('a drain moves the client to another node of the cluster: the same peer, nothing lost, nothing announced', { timeout: 40000 }, async () => {
  const prefix = `sdk-drain-${process.pid}-${Date.now()}:`;
  const admin = 'sdk-drain-admin-token-0123456789';
  // A Redis of its own: the tests run in a network namespace where the machine's Redis is out of reach.
  const redis = await startRedis();
  const cluster = ['--cluster', `redis://127.0.0.1:${redis.port}`, '--cluster-prefix', prefix,
    '--cluster-heartbeat-ms', '200', '--cluster-node-timeout-ms', '1000'];
  const [draining, other] = await Promise.all([
    startServer([...cluster, '--admin-token', admin, '--goaway-reconnect-ms', '50', '--drain-timeout-ms', '20000']),
    startServer(cluster),
  ]);
  try {
    const name = room();
    const relay = await startProxy(draining.ports.main); // the load balancer in front of both
    proxies.add(relay);
    const a = await connected({ target: `ws://127.0.0.1:${other.ports.main}/v1/ws` });
    const b = await connected({ target: `ws://127.0.0.1:${relay.port}/v1/ws`, minDelayMs: 50, maxDelayMs: 100 });
    await a.join(name);
    const aSawB = a.next('peer-joined');
    await b.join(name);
    await within(aSawB, 3000, 'peer-joined of b across nodes');
    const before = { peer: b.peer, session: b.session };
    const got = record(b, 'signal');
    const aLeft = record(a, 'peer-left');
    const goaway = b.next('goaway');

    relay.retarget(other.ports.main); // the balancer stops sending new connections to the draining node
    const drained = await fetch(`http://127.0.0.1:${draining.ports.main}/admin/drain`, {
      method: 'POST', headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(drained.status, 202);
    assert.equal((await within(goaway, 3000, 'goaway')).reconnectMs, 50);
    // a keeps signalling while b moves; each signal is acknowledged by the node that routes it.
    for (let i = 0; i < 30; i++) {
      await a.signal(before.peer, i, { room: name });
      await sleep(5);
    }
    await until(() => b.state === 'open' && b.welcome.resumed === true, 10000, 'b resumed on the other node');
    await until(() => got.length >= 30, 5000, 'every signal at b').catch((e) => { throw new Error(e.message + ': ' + JSON.stringify(got.map((x) => x.data)) + ' welcome ' + JSON.stringify(b.welcome)); });
    assert.deepEqual(got.map((e) => e.data), [...Array(30).keys()]);
    assert.equal(b.peer, before.peer);
    assert.equal(b.session, before.session);
    assert.deepEqual(aLeft, []);
    await until(() => !draining.alive(), 10000, 'the drained node stops once its last session left');
  } finally {
    await Promise.all([draining.stop(), other.stop()]);
    redis.stop();
  }
});

/** A throw-away redis-server on a free loopback port. */
async function startRedis() {
  const port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (up) return { port, stop: () => child.kill('SIGKILL') };
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}
