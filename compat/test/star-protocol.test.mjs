// Seed 000 (star, SEEDS.md §1): the scenarios of the original's test/sig-server.ts (§1.11 item 1),
// run with the same assertions against the reference @libp2p/webrtc-star-signalling-server@4.0.0
// (started in this process) and against Signalman, with socket.io-client 4 at /socket.io-next/ and
// at /socket.io/, and socket.io-client 2 (Engine.IO 3) at /socket.io/. Both servers re-announce
// every REFRESH ms. The peer count is read where both expose it: `webrtc_star_peers` in /metrics
// (the reference runs with metrics on; prom-client's registry is global, so there is one reference
// server per process). Frames are the Socket.IO packets as the client's Engine.IO socket received
// them (`2["ws-peer",…]`), compared as text.
import { test, describe, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import { io as io4 } from 'socket.io-client';
import { sigServer } from '@libp2p/webrtc-star-signalling-server';
import { startServer } from './support/server.mjs';
import { within } from './support/within.mjs';

const require = createRequire(import.meta.url);
const io2 = require('socket.io-client-v2');

const REFRESH = 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const targets = {
  reference: {
    async start() {
      const server = await sigServer({ port: 0, host: '127.0.0.1', metrics: true, refreshPeerListIntervalMS: REFRESH });
      return { port: server.info.port, stop: () => server.stop() };
    },
  },
  signalman: {
    async start() {
      const server = await startServer(['--listen', 'star@127.0.0.1:0', '--star-refresh-ms', String(REFRESH)]);
      return { port: server.ports.star, stop: () => server.stop(), alive: server.alive, logs: server.logs };
    },
  },
};

const clients = [
  { name: 'socket.io-client 4 at /socket.io-next/', io: io4, eio: 4, options: { transports: ['websocket'], forceNew: true, path: '/socket.io-next/' } },
  { name: 'socket.io-client 4 at /socket.io/', io: io4, eio: 4, options: { transports: ['websocket'], forceNew: true } },
  { name: 'socket.io-client 2 (EIO 3) at /socket.io/', io: io2, eio: 3, options: { transports: ['websocket'], forceNew: true } },
];

const running = {};
before(async () => {
  running.reference = await targets.reference.start();
  running.signalman = await targets.signalman.start();
});
after(async () => {
  await running.reference?.stop();
  await running.signalman?.stop();
});

async function metric(port, name) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(await res.text());
  assert.ok(m, `${name} in /metrics`);
  return Number(m[1]);
}

/** Waits until `webrtc_star_peers` reads `n`; fails with the last value otherwise. */
async function peersBecome(port, n, ms = 5000) {
  const end = Date.now() + ms;
  let value;
  while (Date.now() < end) {
    value = await metric(port, 'webrtc_star_peers');
    if (value === n) return;
    await sleep(25);
  }
  assert.equal(value, n, 'webrtc_star_peers');
}

/** Signalman only: waits until its star listener counts `n` open Socket.IO connections. */
async function openConnectionsBecome(port, n, ms = 5000) {
  const end = Date.now() + ms;
  let value;
  while (Date.now() < end) {
    value = await metric(port, 'signalman_connections_open{dialect="star"}');
    if (value === n) return;
    await sleep(25);
  }
  assert.equal(value, n, 'signalman_connections_open{dialect="star"}');
}

/**
 * A Socket.IO client that records every Socket.IO packet its Engine.IO socket receives.
 * `frame(pred, since)` resolves with the first recorded frame at index ≥ since that matches.
 */
function open(client, port, extra = {}) {
  const socket = client.io(`http://127.0.0.1:${port}`, { ...client.options, reconnection: false, ...extra });
  const frames = [];
  const stamps = [];
  const waiters = [];
  socket.io.engine.on('message', (data) => {
    frames.push(data);
    stamps.push(Date.now());
    for (const w of waiters.slice()) w.check();
  });
  const c = {
    socket,
    frames,
    stamps,
    mark: () => frames.length,
    emit: (...args) => socket.emit(...args),
    events: (name, since = 0) => frames.slice(since).filter((f) => f.startsWith('2[')).map((f) => JSON.parse(f.slice(1)))
      .filter(([n]) => n === name).map(([, arg]) => arg),
    frame(pred, since = 0, ms = 5000, what = 'frame') {
      return within(new Promise((resolve) => {
        const w = {
          check() {
            const i = frames.findIndex((f, k) => k >= since && pred(f));
            if (i >= 0) { waiters.splice(waiters.indexOf(w), 1); resolve(frames[i]); }
          },
        };
        waiters.push(w);
        w.check();
      }), ms, what);
    },
    connected: () => within(new Promise((resolve, reject) => {
      if (socket.connected) return resolve();
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
      socket.once('error', reject);
    }), 10000, 'connect'),
    close() { socket.disconnect(); },
  };
  return c;
}
const wsPeerFrame = (ma) => '2' + JSON.stringify(['ws-peer', ma]);
const handshakeFrame = (offer) => '2' + JSON.stringify(['ws-handshake', offer]);
const isEvent = (name) => (f) => f.startsWith(`2["${name}",`);

let unique = 0;
for (const targetName of Object.keys(targets)) {
  for (const client of clients) {
    describe(`${targetName}, ${client.name}`, () => {
      const port = () => running[targetName].port;
      const base = () => `/ip4/127.0.0.1/tcp/${port()}/ws/p2p-webrtc-star/p2p/`;
      const opened = [];
      const connect = async (extra) => {
        const c = open(client, port(), extra);
        opened.push(c);
        await c.connected();
        return c;
      };
      const cleanUp = async () => {
        for (const c of opened.splice(0)) c.close();
        await peersBecome(port(), 0);
      };
      // every test starts with no joined peer, and leaves none behind even when it fails
      beforeEach(() => peersBecome(port(), 0));
      afterEach(() => cleanUp());

      test('sig-server.ts sequence: peer count, fourth joiner, handshake round trip, departed peer', async () => {
        const run = ++unique;
        const ma = (n) => `${base()}QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSooo${run}c${n}`;
        const [c1, c2, c3, c4] = await Promise.all([connect(), connect(), connect(), connect()]);

        c1.emit('ss-join', ma(1));
        await peersBecome(port(), 1);

        // each join is announced to c1; waiting for it also keeps late frames out of the checks below
        c2.emit('ss-join', ma(2));
        await c1.frame((f) => f === wsPeerFrame(ma(2)), 0, 3000, 'ws-peer of c2 at c1');
        await peersBecome(port(), 2);
        c2.emit('ss-leave', ma(2));
        await peersBecome(port(), 1);

        c3.emit('ss-join', ma(3));
        await c1.frame((f) => f === wsPeerFrame(ma(3)), 0, 3000, 'ws-peer of c3 at c1');
        await peersBecome(port(), 2);
        c3.close();
        await peersBecome(port(), 1);

        // the fourth joiner is announced to c1 (c2 and c3 are gone; c1 hears no one else)
        const since = c1.mark();
        c4.emit('ss-join', ma(4));
        await c1.frame((f) => f === wsPeerFrame(ma(4)), since, 3000, 'ws-peer of c4 at c1');
        // (on a loaded machine an announcement that c2's or c3's timer sent before they left may still be on its way)
        const before4 = c1.frames.slice(since, c1.frames.indexOf(wsPeerFrame(ma(4)), since));
        assert.ok(before4.every((f) => f === wsPeerFrame(ma(2)) || f === wsPeerFrame(ma(3))), JSON.stringify(before4));
        assert.equal(await metric(port(), 'webrtc_star_peers'), 2);

        // c1 → c4 offer, c4 answers with answer: true, c1 gets it back
        const offer = { srcMultiaddr: ma(1), dstMultiaddr: ma(4), intentId: 'intent-id', signal: { type: 'offer', sdp: 'sdp' } };
        const at4 = c4.mark();
        const at1 = c1.mark();
        c1.emit('ss-handshake', offer);
        const relayed = await c4.frame(isEvent('ws-handshake'), at4, 3000, 'ws-handshake at c4');
        assert.equal(relayed, handshakeFrame(offer), 'the offer arrives unchanged');
        const answer = { ...JSON.parse(relayed.slice(1))[1], answer: true };
        c4.emit('ss-handshake', answer);
        const back = await c1.frame(isEvent('ws-handshake'), at1, 3000, 'ws-handshake at c1');
        assert.equal(back, handshakeFrame(answer));
        assert.equal(JSON.parse(back.slice(1))[1].err, undefined);
        assert.equal(JSON.parse(back.slice(1))[1].answer, true);

        // c1 → c2, which left: the same object comes back to c1 with err
        const gone = { srcMultiaddr: ma(1), dstMultiaddr: ma(2), intentId: 'intent-id', signal: { type: 'offer', sdp: 'sdp' } };
        const at1b = c1.mark();
        c1.emit('ss-handshake', gone);
        assert.equal(await c1.frame(isEvent('ws-handshake'), at1b, 3000, 'error echo at c1'),
          handshakeFrame({ ...gone, err: 'peer is not available' }));

        // a handshake to c3, which disconnected, fails the same way
        const at1c = c1.mark();
        c1.emit('ss-handshake', { ...gone, dstMultiaddr: ma(3), intentId: 'i3' });
        assert.equal(await c1.frame(isEvent('ws-handshake'), at1c, 3000, 'error echo at c1'),
          handshakeFrame({ ...gone, dstMultiaddr: ma(3), intentId: 'i3', err: 'peer is not available' }));

        await cleanUp();
      });

      test(`ws-peer on join, then every ${REFRESH} ms: at least twice within three intervals`, async () => {
        const run = ++unique;
        const [c1, c2] = await Promise.all([connect(), connect()]);
        const a1 = `c1-${run}`;
        const a2 = `c2-${run}`;
        c1.emit('ss-join', a1);
        await peersBecome(port(), 1);
        const since = c1.mark();
        const start = Date.now();
        // the join is announced before anything c2 sends next: c1 hears ws-peer, then the handshake
        const offer = { intentId: `p${run}`, srcMultiaddr: a2, dstMultiaddr: a1, signal: { type: 'offer', sdp: 'v=0' } };
        c2.emit('ss-join', a2);
        c2.emit('ss-handshake', offer);
        await c1.frame(isEvent('ws-handshake'), since, 3000, 'ws-handshake at c1');
        assert.deepEqual(c1.frames.slice(since, since + 2), [wsPeerFrame(a2), handshakeFrame(offer)]);
        // then the timer
        await c1.frame(() => c1.events('ws-peer', since).length >= 2, since, 3 * REFRESH, 'second ws-peer at c1');
        await c1.frame(() => c1.events('ws-peer', since).length >= 3, since, 3 * REFRESH + 3000, 'third ws-peer at c1');
        const heard = c1.events('ws-peer', since);
        assert.ok(heard.every((p) => p === a2), JSON.stringify(heard));
        const times = c1.stamps.slice(since).filter((_, k) => c1.frames[since + k].startsWith('2["ws-peer"'));
        for (let k = 1; k < times.length; k++) {
          assert.ok(times[k] - start >= k * REFRESH - 30, `announcement #${k + 1} after ${times[k] - start} ms`);
        }
        // c2 hears c1 from c1's timer, and never itself
        await c2.frame(isEvent('ws-peer'), 0, 3 * REFRESH, 'ws-peer at c2');
        assert.ok(c2.events('ws-peer').every((p) => p === a1), JSON.stringify(c2.events('ws-peer')));
        await cleanUp();
      });

      test('spam with invalid payloads: dropped without a reply, counted, and the server keeps relaying', async () => {
        const run = ++unique;
        const [spammer, a, b] = await Promise.all([connect(), connect(), connect()]);
        const ma = `/spam/${run}/a`;
        const mb = `/spam/${run}/b`;
        a.emit('ss-join', ma);
        b.emit('ss-join', mb);
        await peersBecome(port(), 2);
        const dials = await metric(port(), 'webrtc_star_dials_total');
        const failures = await metric(port(), 'webrtc_star_dials_total_failure');
        const joinFailures = await metric(port(), 'webrtc_star_joins_total_failure');
        const invalid = [null, 1, [1, 2, 3], {}, 'text', true, { srcMultiaddr: ma }, { dstMultiaddr: mb },
          { srcMultiaddr: null, dstMultiaddr: mb }, { srcMultiaddr: ma, dstMultiaddr: null }, [ma, mb]];
        const at = spammer.mark();
        for (const payload of invalid) spammer.emit('ss-handshake', payload);
        spammer.emit('ss-handshake');
        spammer.emit('ss-join', null);
        spammer.emit('ss-join');
        spammer.emit('ss-leave');
        spammer.emit('ss-leave', null);
        spammer.emit('no-such-event', { x: 1 });
        // a valid relay from the spammer's own socket afterwards still works
        const offer = { intentId: `spam-${run}`, srcMultiaddr: ma, dstMultiaddr: mb, signal: { type: 'offer', sdp: 'v=0' } };
        const atB = b.mark();
        spammer.emit('ss-handshake', offer);
        assert.equal(await b.frame(isEvent('ws-handshake'), atB, 3000, 'relay after the spam'), handshakeFrame(offer));
        assert.deepEqual(spammer.frames.slice(at), [], 'no reply to invalid payloads');
        assert.equal(spammer.socket.connected, true, 'the spammer stays connected');
        assert.equal(await metric(port(), 'webrtc_star_dials_total'), dials + invalid.length + 2);
        assert.equal(await metric(port(), 'webrtc_star_dials_total_failure'), failures + invalid.length + 1);
        assert.equal(await metric(port(), 'webrtc_star_joins_total_failure'), joinFailures + 2);
        assert.equal(await metric(port(), 'webrtc_star_peers'), 2);
        // and others keep relaying: a answers b's offer
        const atA = a.mark();
        const reply = { ...offer, answer: true, signal: { type: 'answer', sdp: 'v=0' } };
        b.emit('ss-handshake', reply);
        assert.equal(await a.frame(isEvent('ws-handshake'), atA, 3000, 'answer at a'), handshakeFrame(reply));
        await cleanUp();
      });

      test('re-join with the same multiaddr from a new socket, then the old socket disconnects', async () => {
        const run = ++unique;
        const shared = `/rejoin/${run}/shared`;
        const tma = `/rejoin/${run}/third`;
        const [older, newer, third] = await Promise.all([connect(), connect(), connect()]);
        if (targetName === 'signalman') await openConnectionsBecome(port(), 3);
        older.emit('ss-join', shared);
        await peersBecome(port(), 1);
        // the newer socket joins and addresses itself: the handshake reaches it, not the older one
        const self = { intentId: `self-${run}`, srcMultiaddr: shared, dstMultiaddr: shared, signal: { type: 'offer', sdp: 'v=0' } };
        const atNew = newer.mark();
        const atOld = older.mark();
        newer.emit('ss-join', shared);
        newer.emit('ss-handshake', self);
        assert.equal(await newer.frame(isEvent('ws-handshake'), atNew, 3000, 'handshake at the newer socket'), handshakeFrame(self));
        assert.deepEqual(older.events('ws-handshake', atOld), []);
        assert.equal(await metric(port(), 'webrtc_star_peers'), 1);

        third.emit('ss-join', tma);
        await peersBecome(port(), 2);
        older.close();
        const probe = { intentId: `probe-${run}`, srcMultiaddr: tma, dstMultiaddr: shared, signal: { type: 'offer', sdp: 'v=0' } };
        if (targetName === 'reference') {
          // ORIGINAL (SEEDS.md §1.9): the old socket's disconnect deletes the entry the new socket holds
          await peersBecome(port(), 1);
          const at = third.mark();
          third.emit('ss-handshake', probe);
          assert.equal(await third.frame(isEvent('ws-handshake'), at, 3000, 'error echo'),
            handshakeFrame({ ...probe, err: 'peer is not available' }));
        } else {
          // RECOMMENDED, which Signalman implements: the entry is deleted only if it still points
          // at the disconnecting socket, so the newer socket stays reachable
          await openConnectionsBecome(port(), 2);
          assert.equal(await metric(port(), 'webrtc_star_peers'), 2);
          const at = newer.mark();
          third.emit('ss-handshake', probe);
          assert.equal(await newer.frame(isEvent('ws-handshake'), at, 3000, 'handshake at the newer socket'), handshakeFrame(probe));
        }
        await cleanUp();
      });

      test('relayed objects are passed through as JSON.stringify prints them (extra fields, unicode)', async () => {
        const run = ++unique;
        const [a, b] = await Promise.all([connect(), connect()]);
        const ma = `/ip4/127.0.0.1/tcp/1/ws/p2p-webrtc-star/p2p/é-${run}`;
        const mb = `/x/"quoted"\\${run}`;
        a.emit('ss-join', ma);
        b.emit('ss-join', mb);
        await peersBecome(port(), 2);
        const offer = {
          intentId: 'ab'.repeat(36), srcMultiaddr: ma, dstMultiaddr: mb,
          signal: { type: 'candidate', candidate: { candidate: 'candidate:1 1 UDP 2122252543 127.0.0.1 40000 typ host', sdpMLineIndex: 0, sdpMid: '0' } },
          extra: { n: 1.5, list: [null, true, 'ü😀\u2028'], empty: {} }, answer: false,
        };
        const atB = b.mark();
        a.emit('ss-handshake', offer);
        assert.equal(await b.frame(isEvent('ws-handshake'), atB, 3000, 'relay at b'), handshakeFrame(offer));
        const answer = { ...offer, answer: true, signal: { type: 'renegotiate' } };
        const atA = a.mark();
        b.emit('ss-handshake', answer);
        assert.equal(await a.frame(isEvent('ws-handshake'), atA, 3000, 'answer at a'), handshakeFrame(answer));
        // an answer whose srcMultiaddr is unknown is dropped (no error echo)
        const atB2 = b.mark();
        b.emit('ss-handshake', { ...answer, srcMultiaddr: '/nobody' });
        await sleep(300);
        assert.deepEqual(b.events('ws-handshake', atB2), []);
        assert.equal(a.events('ws-handshake', atA).length, 1, 'no echo to a either');
        await cleanUp();
      });

      test('numbers in relayed objects are printed as JavaScript prints them', async () => {
        const run = ++unique;
        const [a, b] = await Promise.all([connect(), connect()]);
        const ma = `/num/${run}/a`;
        const mb = `/num/${run}/b`;
        a.emit('ss-join', ma);
        b.emit('ss-join', mb);
        await peersBecome(port(), 2);
        const numbers = [2 ** 60, 2.82879384806159e17, 5e-324, 1e21, 0.1 + 0.2, 123e-20, -1.5e-7, 2 ** 53 + 2, 1e300 * 10 ** 8];
        const offer = { intentId: `n${run}`, srcMultiaddr: ma, dstMultiaddr: mb, signal: { type: 'offer', sdp: 'v=0' }, numbers };
        const atB = b.mark();
        a.emit('ss-handshake', offer);
        assert.equal(await b.frame(isEvent('ws-handshake'), atB, 3000, 'relay at b'), handshakeFrame(offer));
      });
    });
  }
}

// Raw Engine.IO over `ws`: the open packet, and relays of JSON text a socket.io client would never
// send (repeated keys, 1.50, 1e2, a lone surrogate, a number beyond 2^53).
for (const targetName of Object.keys(targets)) {
  for (const [path, eio] of [['/socket.io-next/', 4], ['/socket.io/', 3], ['/socket.io/', 4], ['/socket.io-next/', 3]]) {
    describe(`${targetName}, raw Engine.IO ${eio} at ${path}`, () => {
      const sockets = [];
      afterEach(async () => {
        for (const ws of sockets.splice(0)) ws.terminate();
        await peersBecome(running[targetName].port, 0);
      });
      async function raw() {
        const ws = new WebSocket(`ws://127.0.0.1:${running[targetName].port}${path}?EIO=${eio}&transport=websocket`);
        sockets.push(ws);
        const frames = [];
        let wake = () => {};
        ws.on('message', (d) => { frames.push(d.toString()); wake(); });
        await within(new Promise((r, j) => { ws.once('open', r); ws.once('error', j); }), 5000, 'open');
        const next = async (i, ms = 3000) => {
          const end = Date.now() + ms;
          while (frames.length <= i) {
            if (Date.now() > end) throw new Error(`no frame #${i} (have ${JSON.stringify(frames)})`);
            await new Promise((r) => { wake = r; setTimeout(r, 50); });
          }
          return frames[i];
        };
        await next(0);
        if (eio === 4) ws.send('40');
        await next(1);
        return { ws, frames, next };
      }

      test('open packet and namespace connect as socket.io 4 sends them (sid aside)', async () => {
        const { ws, frames } = await raw();
        const open = JSON.parse(frames[0].slice(1));
        assert.equal(frames[0][0], '0');
        assert.equal(typeof open.sid, 'string');
        // netty-socketio's open packet has no maxPayload and, for EIO 3, still offers the websocket
        // upgrade (docs/dialects.md); the clients read only sid and the ping timings, which must match.
        const expected = { sid: '…', upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 };
        const compared = targetName === 'signalman' ? ['sid', 'pingInterval', 'pingTimeout'] : Object.keys(expected);
        const pick = (o) => Object.fromEntries(compared.map((k) => [k, o[k]]));
        assert.deepEqual(pick({ ...open, sid: '…' }), pick(expected), `open packet ${frames[0]}`);
        if (eio === 4) assert.match(frames[1], /^40\{"sid":"[^"]+"\}$/);
        else assert.equal(frames[1], '40');
        ws.close();
      });

      test('a relayed handshake is JSON.stringify(JSON.parse(what was sent))', async () => {
        const a = await raw();
        const b = await raw();
        const run = ++unique;
        const ma = `/raw/${run}/a`;
        const mb = `/raw/${run}/b`;
        a.ws.send(`42["ss-join",${JSON.stringify(ma)}]`);
        // One join at a time: two sockets' joins may be handled in either order, and b must not be
        // the one that hears of a.
        await peersBecome(running[targetName].port, 1);
        b.ws.send(`42["ss-join",${JSON.stringify(mb)}]`);
        await peersBecome(running[targetName].port, 2);
        const text = `{"intentId":"n${run}","srcMultiaddr":${JSON.stringify(ma)},"dstMultiaddr":${JSON.stringify(mb)},`
          + '"signal":{"type":"offer","sdp":"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n"},"x":1.50,"y":1e2,"z":"\\u00e9\\ud83d\\ude00\\u2028<>&\'\\/",'
          + '"big":12345678901234567890,"neg":-0,"dup":1,"dup":2,"arr":[1,[2,{}],null,true],"lone":"\\ud800","esc":"\\u0001\\t"}';
        const i = b.frames.length;
        a.ws.send(`42["ss-handshake",${text}]`);
        // The periodic ws-peer re-announcement may come first; the handshake is the first other frame.
        let got = await b.next(i);
        for (let j = i + 1; got.startsWith('42["ws-peer"'); j++) got = await b.next(j);
        assert.equal(got, `42${JSON.stringify(['ws-handshake', JSON.parse(text)])}`);
        // EIO3 ping from the client (the EIO4 server pings on its own every 25 s)
        if (eio === 3) {
          const k = a.frames.length;
          a.ws.send('2');
          assert.equal(await a.next(k), '3');
        }
        a.ws.close();
        b.ws.close();
        await peersBecome(running[targetName].port, 0);
      });
    });
  }
}

test('Signalman stayed up', () => {
  assert.equal(running.signalman.alive(), true);
});
