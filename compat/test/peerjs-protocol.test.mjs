// PeerJS server protocol (npm `peer` 1.0.2): every message type and error case, replayed with `ws`
// exactly as the `peerjs` 1.5.5 client sends them, and asserted the same way against two servers:
// the reference server itself (started in-process from node_modules/peer as an oracle) and
// Signalman's `peerjs` dialect. A case that passes on the oracle documents what the original does.
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { startServer } from './support/server.mjs';
import { connect } from './support/client.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const OPEN = '{"type":"OPEN"}';

// Both servers get the same settings, in the PeerJS server's option names.
const MAIN = { key: 'peerjs', path: '/', alive_timeout: 1500, expire_timeout: 1000, allow_discovery: true, concurrent_limit: 1000 };
const SMALL = { key: 'k2', path: '/myapp', alive_timeout: 60000, expire_timeout: 5000, allow_discovery: false, concurrent_limit: 2 };

async function startReference(options) {
  // cleanup_out_msgs: how often the original looks for expired messages (1 s by default).
  const worker = new Worker(new URL('./support/peerjs-reference.mjs', import.meta.url),
    { workerData: { ...options, cleanup_out_msgs: 100 } });
  const port = await new Promise((resolve, reject) => {
    worker.once('message', (m) => resolve(m.port));
    worker.once('error', reject);
  });
  return { port, stop: () => worker.terminate() };
}

async function startSignalman(options) {
  const server = await startServer(['--listen', 'peerjs@127.0.0.1:0',
    '--peerjs-key', options.key, '--peerjs-path', options.path,
    '--peerjs-alive-timeout-ms', String(options.alive_timeout),
    '--peerjs-expire-timeout-ms', String(options.expire_timeout),
    '--peerjs-concurrent-limit', String(options.concurrent_limit),
    ...(options.allow_discovery ? ['--peerjs-allow-discovery'] : [])]);
  return { port: server.ports.peerjs, stop: () => server.stop() };
}

const TARGETS = [['peer 1.0.2 (reference server)', startReference], ['Signalman', startSignalman]];

/** What the original forwards: a new object of four keys, src set by the server, printed by JSON.stringify. */
function relayed(frame, src) {
  const { type, dst, payload } = JSON.parse(frame);
  return JSON.stringify({ type, src, dst, payload });
}

// Frames as the peerjs 1.5.5 client builds them (lib/negotiator.ts, lib/peer.ts).
const offer = (dst, connectionId) => JSON.stringify({ type: 'OFFER', payload: {
  sdp: { type: 'offer', sdp: 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' },
  type: 'data', connectionId, label: connectionId, reliable: true, serialization: 'binary', browser: 'chrome' }, dst });
const answer = (dst, connectionId) => JSON.stringify({ type: 'ANSWER', payload: {
  sdp: { type: 'answer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' }, type: 'data', connectionId, browser: 'chrome' }, dst });
const candidate = (dst, connectionId) => JSON.stringify({ type: 'CANDIDATE', payload: {
  candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0', sdpMid: '0', sdpMLineIndex: 0 },
  type: 'data', connectionId }, dst });
const leave = (dst, connectionId) => JSON.stringify({ type: 'LEAVE', payload: { connectionId }, dst });
const HEARTBEAT = JSON.stringify({ type: 'HEARTBEAT' });

for (const [name, start] of TARGETS) {
  describe(name, () => {
    const sockets = new Set();
    let unique = 0;
    /** An id no other test uses, in the shape the peerjs client accepts. */
    const peerId = (label = 'p') => `${label}${++unique}x${process.pid}`;

    afterEach(async () => {
      const closing = [...sockets].map((ws) => { clearInterval(ws.beat); ws.terminate(); return ws.closed(); });
      sockets.clear();
      await Promise.all(closing);
      await sleep(150); // lets the server see the closes before the next test counts clients
    });

    /** A client socket; `query` is added verbatim after `?`. */
    async function socket(server, query, path = '/peerjs') {
      const ws = await connect(`ws://127.0.0.1:${server.port}${path}?${query}`);
      sockets.add(ws);
      return ws;
    }

    /**
     * A registered client: connects as the peerjs client does, waits for OPEN, and then sends
     * HEARTBEAT regularly as that client does (unless `beat` is false).
     */
    async function client(server, id, { token = 'tok' + id, key = 'peerjs', path = '/peerjs', beat = true } = {}) {
      const ws = await socket(server, `key=${key}&id=${id}&token=${token}&version=1.5.5`, path);
      assert.equal(await ws.next(), OPEN);
      ws.id = id;
      if (beat) ws.beat = setInterval(() => { if (ws.readyState === 1) ws.send(HEARTBEAT); }, 400);
      return ws;
    }

    const http = (server, path, init) => fetch(`http://127.0.0.1:${server.port}${path}`, init);

    describe('with path /, key peerjs and discovery on', () => {
      let server;
      before(async () => { server = await start(MAIN); });
      after(async () => { await server?.stop(); });

      test('a new id gets OPEN; HEARTBEAT gets no answer', { timeout: 10000 }, async () => {
        const a = await client(server, peerId());
        a.send(HEARTBEAT);
        await a.silent(300);
      });

      test('OFFER, ANSWER, CANDIDATE and LEAVE reach dst as {type, src, dst, payload}', { timeout: 10000 }, async () => {
        const a = await client(server, peerId('a'));
        const b = await client(server, peerId('b'));
        for (const [from, to, frame] of [
          [a, b, offer(b.id, 'dc_1')], [b, a, answer(a.id, 'dc_1')], [a, b, candidate(b.id, 'dc_1')],
          [b, a, candidate(a.id, 'dc_1')], [a, b, leave(b.id, 'dc_1')],
        ]) {
          from.send(frame);
          const got = await to.next();
          assert.equal(got, relayed(frame, from.id));
          assert.equal(JSON.parse(got).src, from.id);
        }
        await a.silent(100);
        await b.silent(0);
      });

      test('the server sets src, drops other keys and prints the payload as JSON.stringify does', { timeout: 10000 }, async () => {
        const a = await client(server, peerId('a'));
        const b = await client(server, peerId('b'));
        const frame = `{ "payload" : {"b":1.50,"2":"x","1":[1e2,-0,"\\u00e9\\/"],"n":null} , "src":"forged","dst":"${b.id}",`
          + `"extra":true,"type":"OFFER","dst":"${b.id}" }`;
        a.send(frame);
        const got = await b.next();
        assert.equal(got, `{"type":"OFFER","src":"${a.id}","dst":"${b.id}","payload":{"1":[100,0,"é/"],"2":"x","b":1.5,"n":null}}`);
        assert.equal(got, relayed(frame, a.id));
        // No payload key: none in the output either; a null payload stays.
        a.send(JSON.stringify({ type: 'ANSWER', dst: b.id }));
        assert.equal(await b.next(), `{"type":"ANSWER","src":"${a.id}","dst":"${b.id}"}`);
        a.send(JSON.stringify({ type: 'CANDIDATE', dst: b.id, payload: null }));
        assert.equal(await b.next(), `{"type":"CANDIDATE","src":"${a.id}","dst":"${b.id}","payload":null}`);
      });

      test('a message to oneself comes back', { timeout: 10000 }, async () => {
        const a = await client(server, peerId());
        const frame = offer(a.id, 'dc_self');
        a.send(frame);
        assert.equal(await a.next(), relayed(frame, a.id));
      });

      test('messages for an id that has not connected wait for it and come after its OPEN, in order', { timeout: 10000 }, async () => {
        const a = await client(server, peerId('a'));
        const late = peerId('late');
        const frames = [offer(late, 'dc_2'), candidate(late, 'dc_2'), candidate(late, 'dc_2').replace('50000', '50001')];
        for (const frame of frames) a.send(frame);
        await sleep(300);
        const b = await client(server, late); // asserts OPEN first
        for (const frame of frames) assert.equal(await b.next(), relayed(frame, a.id));
        await b.silent(100);
        await a.silent(MAIN.expire_timeout + 500); // delivered, so nothing expires
      });

      test('messages for an id that does not connect in time expire: one EXPIRE per sender', { timeout: 10000 }, async () => {
        const a = await client(server, peerId('a'));
        const b = await client(server, peerId('b'));
        const ghost = peerId('ghost');
        a.send(offer(ghost, 'dc_3'));
        a.send(candidate(ghost, 'dc_3'));
        b.send(offer(ghost, 'dc_4'));
        a.send(JSON.stringify({ type: 'OFFER', dst: 42, payload: {} })); // no id is a number: waits, then expires
        const t0 = Date.now();
        const fromA = [await a.next(3000), await a.next(3000)].sort();
        assert.ok(Date.now() - t0 >= MAIN.expire_timeout - 200, 'EXPIRE came too early');
        assert.deepEqual(fromA, [`{"type":"EXPIRE","src":"${ghost}","dst":"${a.id}"}`, `{"type":"EXPIRE","src":42,"dst":"${a.id}"}`].sort());
        assert.equal(await b.next(3000), `{"type":"EXPIRE","src":"${ghost}","dst":"${b.id}"}`);
        await a.silent(300);
        await b.silent(0);
        const g = await client(server, ghost); // the expired messages are gone
        await g.silent(200);
      });

      test('LEAVE and EXPIRE for an absent id are dropped, not kept', { timeout: 10000 }, async () => {
        const a = await client(server, peerId('a'));
        const absent = peerId('absent');
        a.send(leave(absent, 'dc_5'));
        a.send(JSON.stringify({ type: 'EXPIRE', dst: absent }));
        await sleep(200);
        const b = await client(server, absent);
        await b.silent(200);
        await a.silent(MAIN.expire_timeout + 300);
      });

      test('EXPIRE sent by a client is relayed like the others', { timeout: 10000 }, async () => {
        const a = await client(server, peerId('a'));
        const b = await client(server, peerId('b'));
        a.send(JSON.stringify({ type: 'EXPIRE', dst: b.id, payload: 'x' }));
        assert.equal(await b.next(), `{"type":"EXPIRE","src":"${a.id}","dst":"${b.id}","payload":"x"}`);
      });

      test('LEAVE without dst gives the id up; the socket stays open and still sends as that id', { timeout: 10000 }, async () => {
        const a = await client(server, peerId('a'));
        const b = await client(server, peerId('b'));
        a.send(JSON.stringify({ type: 'LEAVE' }));
        await sleep(200);
        const again = await client(server, a.id, { token: 'other' }); // OPEN, not ID-TAKEN
        const frame = offer(b.id, 'dc_6');
        a.send(frame);
        assert.equal(await b.next(), relayed(frame, a.id));
        b.send(answer(a.id, 'dc_6'));
        assert.equal(await again.next(), relayed(answer(a.id, 'dc_6'), b.id));
        await a.silent(200);
      });

      test('the same id with another token gets ID-TAKEN and a close without status', { timeout: 10000 }, async () => {
        const a = await client(server, peerId('a'), { token: 't1' });
        const b = await client(server, peerId('b'));
        const intruder = await socket(server, `key=peerjs&id=${a.id}&token=t2&version=1.5.5`);
        assert.equal(await intruder.next(), '{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}');
        assert.equal((await intruder.closed()).code, 1005);
        b.send(offer(a.id, 'dc_7'));
        assert.equal(await a.next(), relayed(offer(a.id, 'dc_7'), b.id)); // the holder keeps its id
      });

      test('the same id and token takes the id over without OPEN; the old socket stays open and still sends', { timeout: 10000 }, async () => {
        const id = peerId('r');
        const old = await client(server, id, { token: 'same' });
        const b = await client(server, peerId('b'));
        const fresh = await socket(server, `key=peerjs&id=${id}&token=same&version=1.5.5`);
        await fresh.silent(300); // no OPEN for a taken-over id
        b.send(offer(id, 'dc_8'));
        assert.equal(await fresh.next(), relayed(offer(id, 'dc_8'), b.id));
        await old.silent(200);
        assert.equal(old.closeInfo, null);
        old.send(answer(b.id, 'dc_8'));
        assert.equal(await b.next(), relayed(answer(b.id, 'dc_8'), id));
      });

      test('missing parameters and a wrong key get ERROR and a close without status', { timeout: 10000 }, async () => {
        const missing = '{"type":"ERROR","payload":{"msg":"No id, token, or key supplied to websocket server"}}';
        const cases = [
          ['key=peerjs&token=t', missing], ['key=peerjs&id=x1&token=', missing], ['id=x2&token=t', missing], ['', missing],
          ['key=wrong&id=x3&token=t', '{"type":"ERROR","payload":{"msg":"Invalid key provided"}}'],
          ['key=PEERJS&id=x4&token=t', '{"type":"ERROR","payload":{"msg":"Invalid key provided"}}'],
        ];
        for (const [query, expected] of cases) {
          const ws = await socket(server, query);
          assert.equal(await ws.next(), expected, query);
          assert.equal((await ws.closed()).code, 1005, query);
        }
        // Repeated names: the last wins; '+' is a space.
        const ws = await socket(server, `key=nope&key=peerjs&id=a+b${unique}&token=t`);
        assert.equal(await ws.next(), OPEN);
      });

      test('a client without HEARTBEAT is closed after alive_timeout; one that beats stays', { timeout: 10000 }, async () => {
        const quiet = await client(server, peerId('quiet'), { beat: false });
        const beating = await client(server, peerId('beat'));
        const t0 = Date.now();
        assert.equal((await quiet.closed()).code, 1005);
        assert.ok(Date.now() - t0 >= MAIN.alive_timeout - 200, 'closed too early');
        await sleep(500);
        assert.equal(beating.closeInfo, null);
        await client(server, quiet.id, { token: 'new' }); // the id is free again
      });

      test('bad input is ignored and never disturbs other peers', { timeout: 15000 }, async () => {
        const x = await client(server, peerId('x'));
        const y = await client(server, peerId('y'));
        const z = await client(server, peerId('z'));
        const bad = ['not json', '{"type":', 'null', '42', '"OFFER"', '[]', '[{"type":"OFFER"}]', '{}', '{"type":"NOPE","dst":"' + y.id + '"}',
          '{"type":"offer","dst":"' + y.id + '"}', '{"type":["OFFER"],"dst":"' + y.id + '"}', '{"type":"OFFER"}',
          '{"type":"OFFER","dst":""}', '{"type":"OFFER","dst":null}', '{"type":"OFFER","dst":0}', '{"type":"OPEN","dst":"' + y.id + '"}',
          '{"type":"ERROR","dst":"' + y.id + '"}', '{"type":"ID-TAKEN","dst":"' + y.id + '"}', '\u00ff\u0000'];
        for (const frame of bad) x.send(frame);
        const huge = JSON.stringify({ type: 'OFFER', dst: y.id, payload: { sdp: 'a'.repeat(200 * 1024) } });
        x.send(huge);
        assert.equal(await y.next(), relayed(huge, x.id));
        await y.silent(200);
        y.send(offer(z.id, 'dc_9'));
        assert.equal(await z.next(), relayed(offer(z.id, 'dc_9'), y.id));
        x.send(offer(z.id, 'dc_10'));
        assert.equal(await z.next(), relayed(offer(z.id, 'dc_10'), x.id));
        assert.equal(x.closeInfo, null);
      });

      test('GET <path>/<key>/id gives a fresh UUID as text/html, with CORS for the caller', { timeout: 10000 }, async () => {
        const first = await http(server, `/peerjs/id?ts=${Date.now()}0.5&version=1.5.5`, { headers: { origin: 'http://app.example' } });
        assert.equal(first.status, 200);
        assert.equal(first.headers.get('content-type'), 'text/html; charset=utf-8');
        assert.equal(first.headers.get('access-control-allow-origin'), 'http://app.example');
        assert.match(first.headers.get('vary'), /^Origin\b/);
        const id = await first.text();
        assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        const second = await http(server, '/anykey/ID/');
        assert.equal(second.status, 200);
        assert.notEqual(await second.text(), id);
        assert.equal(second.headers.get('access-control-allow-origin'), null);
        const head = await http(server, '/peerjs/id', { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(await head.text(), '');
      });

      test('GET <path>/<key>/peers lists connected ids when discovery is allowed', { timeout: 10000 }, async () => {
        const a = await client(server, peerId('a'));
        const b = await client(server, peerId('b'));
        const res = await http(server, '/peerjs/peers');
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
        const ids = await res.json();
        assert.ok(Array.isArray(ids));
        assert.ok(ids.includes(a.id) && ids.includes(b.id), JSON.stringify(ids));
        a.terminate();
        await a.closed();
        await sleep(100);
        assert.ok(!(await (await http(server, '/peerjs/peers')).json()).includes(a.id));
      });

      test('GET <path>/ describes the server; other paths and methods get Express 404s', { timeout: 10000 }, async () => {
        const info = await http(server, '/');
        assert.equal(info.status, 200);
        assert.equal(info.headers.get('content-type'), 'application/json; charset=utf-8');
        const body = await info.json();
        assert.deepEqual(Object.keys(body), ['name', 'description', 'website']);
        for (const [method, path] of [['GET', '/peerjs/nope'], ['POST', '/peerjs/id'], ['GET', '/peerjs'], ['GET', '/a/b/id'], ['GET', '//id']]) {
          const res = await http(server, path, { method, headers: { origin: 'http://app.example' } });
          assert.equal(res.status, 404, `${method} ${path}`);
          assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
          assert.equal(res.headers.get('access-control-allow-origin'), 'http://app.example');
          assert.match(await res.text(), new RegExp(`<pre>Cannot ${method} ${path}</pre>`));
        }
      });

      test('OPTIONS is answered as a CORS preflight', { timeout: 10000 }, async () => {
        const res = await http(server, '/peerjs/id', { method: 'OPTIONS',
          headers: { origin: 'http://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-one,x-two' } });
        assert.equal(res.status, 204);
        assert.equal(res.headers.get('access-control-allow-origin'), 'http://app.example');
        assert.equal(res.headers.get('access-control-allow-methods'), 'GET,HEAD,PUT,PATCH,POST,DELETE');
        assert.equal(res.headers.get('access-control-allow-headers'), 'x-one,x-two');
        assert.equal(res.headers.get('vary'), 'Origin, Access-Control-Request-Headers');
        assert.equal(await res.text(), '');
      });

      test('a WebSocket upgrade at another path is refused with 400', { timeout: 10000 }, async () => {
        for (const path of ['/', '/peerjs/peerjs', '/PEERJS']) {
          const status = await connect(`ws://127.0.0.1:${server.port}${path}?key=peerjs&id=u1&token=t`).then(
            (ws) => { sockets.add(ws); return 101; },
            (error) => Number(/Unexpected server response: (\d+)/.exec(error.message)?.[1]));
          assert.equal(status, 400, path);
        }
      });
    });

    describe('with path /myapp, key k2, discovery off and a limit of two clients', () => {
      let server;
      before(async () => { server = await start(SMALL); });
      after(async () => { await server?.stop(); });

      test('the API and the socket live under the path; the key counts only on the socket', { timeout: 10000 }, async () => {
        assert.equal((await http(server, '/myapp/k2/id')).status, 200);
        assert.equal((await http(server, '/MyApp/other/id/')).status, 200);
        assert.equal((await http(server, '/myapp')).status, 200);
        assert.equal((await http(server, '/peerjs/id')).status, 404);
        assert.equal((await http(server, '/myappx/k2/id')).status, 404);
        const peers = await http(server, '/myapp/k2/peers', { headers: { origin: 'http://app.example' } });
        assert.equal(peers.status, 401);
        assert.equal(peers.headers.get('content-type'), 'text/plain; charset=utf-8');
        assert.equal(peers.headers.get('access-control-allow-origin'), 'http://app.example');
        assert.equal(await peers.text(), 'Unauthorized');
        const wrongKey = await socket(server, 'key=peerjs&id=w1&token=t', '/myapp/peerjs');
        assert.equal(await wrongKey.next(), '{"type":"ERROR","payload":{"msg":"Invalid key provided"}}');
        await client(server, peerId(), { key: 'k2', path: '/myapp/peerjs' });
      });

      test('beyond concurrent_limit a new id gets ERROR; a holder may still take its id over', { timeout: 10000 }, async () => {
        const path = '/myapp/peerjs';
        const a = await client(server, peerId('a'), { key: 'k2', path, token: 'ta' });
        const b = await client(server, peerId('b'), { key: 'k2', path });
        const third = await socket(server, `key=k2&id=${peerId('c')}&token=t`, path);
        assert.equal(await third.next(), '{"type":"ERROR","payload":{"msg":"Server has reached its concurrent user limit"}}');
        assert.equal((await third.closed()).code, 1005);
        const again = await socket(server, `key=k2&id=${a.id}&token=ta`, path);
        await again.silent(300); // taken over: neither OPEN nor ERROR
        assert.equal(again.closeInfo, null);
        b.terminate();
        await b.closed();
        await sleep(100);
        await client(server, peerId('d'), { key: 'k2', path });
      });
    });
  });
}
