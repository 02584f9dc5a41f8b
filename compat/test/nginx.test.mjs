// Signalman behind a real nginx (Debian's package), configured with the shipped
// deploy/nginx/signalman.conf rendered by deploy/nginx/render.sh: only the placeholders change
// (loopback ports, a throw-away certificate). Every dialect's basic scenario runs through nginx over
// TLS, with the clients trusting only that certificate: native, pair, broadcast, direct, star and
// workspaces (Socket.IO clients starting on polling, then upgrading) and PeerJS (HTTP and WebSocket).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io as io4 } from 'socket.io-client';
import { startServer } from './support/server.mjs';
import { connect } from './support/client.mjs';
import { workspaceClient, upgraded } from './support/workspaces.mjs';
import { within } from './support/within.mjs';

const require = createRequire(import.meta.url);
const io2 = require('socket.io-client-v2');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const deploy = path.join(root, 'deploy/nginx');
const HOST = '127.0.0.1';
const DIALECTS = ['pair', 'broadcast', 'direct', 'peerjs', 'star', 'workspaces'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Debian puts nginx in /usr/sbin, which is not on every user's PATH.
const NGINX = process.env.NGINX_BINARY
  || (spawnSync('nginx', ['-v']).error && fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');

let tmp;
let ca;          // the certificate nginx serves; the only one the clients trust
let server;      // Signalman
let nginx;       // the nginx master process
let nginxLog = '';
const pub = {};  // public (nginx) ports by listener: main, pair, ...
const sockets = new Set();
const ioSockets = new Set();

/** Ports nobody listens on right now (held together, so that they differ). */
async function freePorts(count) {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => resolve(s));
  })));
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** GET over TLS through nginx: { status, body }. */
function get(port, pathname) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: HOST, port, path: pathname, ca, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${pathname} timed out`)));
  });
}

async function wss(port, pathname) {
  const ws = await connect(`wss://${HOST}:${port}${pathname}`, { ca });
  sockets.add(ws);
  return ws;
}

before(async () => {
  if (spawnSync(NGINX, ['-v']).error) throw new Error('nginx is not installed (Debian: apt-get install nginx; bin/test does it)');

  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'signalman-nginx-'));
  const cert = path.join(tmp, 'cert.pem');
  const key = path.join(tmp, 'key.pem');
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert]);
  ca = fs.readFileSync(cert);

  server = await startServer([
    ...DIALECTS.flatMap((d) => ['--listen', `${d}@${HOST}:0`]),
    '--ice-server', 'none',
  ], { env: { MAGICK_TOKEN: 'nginx-secret', SALT_STRING: 'nginx-salt', DEVELOPMENT: 'false' } });
  for (const name of ['main', ...DIALECTS]) assert.ok(server.ports[name], `Signalman's ${name} listener`);

  const ports = await freePorts(1 + DIALECTS.length);
  ['main', ...DIALECTS].forEach((name, i) => { pub[name] = ports[i]; });
  const env = {
    NGINX_SERVER_NAME: 'localhost',
    NGINX_TLS_CERT: cert,
    NGINX_TLS_KEY: key,
    NGINX_HTTPS_PORT: `${HOST}:${pub.main}`,
    SIGNALMAN_HOST: HOST,
    SIGNALMAN_MAIN_PORT: String(server.ports.main),
    SIGNALMAN_WORKSPACES_HOST: HOST,
  };
  for (const d of DIALECTS) {
    env[`NGINX_${d.toUpperCase()}_PORT`] = `${HOST}:${pub[d]}`;
    env[`SIGNALMAN_${d.toUpperCase()}_PORT`] = String(server.ports[d]);
  }
  // The shipped template and snippet, placeholders filled in and nothing else changed.
  const conf = path.join(tmp, 'conf');
  fs.mkdirSync(path.join(conf, 'snippets'), { recursive: true });
  const rendered = run(path.join(deploy, 'render.sh'), [], { env: { ...process.env, ...env } });
  assert.doesNotMatch(rendered, /\$\{[A-Z_]+\}/, 'no placeholder left');
  fs.writeFileSync(path.join(conf, 'signalman.conf'), rendered);
  fs.copyFileSync(path.join(deploy, 'snippets/signalman-common.conf'), path.join(conf, 'snippets/signalman-common.conf'));
  // A minimal nginx.conf of our own around it: foreground, every file in the temporary prefix.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  fs.writeFileSync(path.join(conf, 'nginx.conf'), `${user}daemon off;
worker_processes 1;
pid ${tmp}/nginx.pid;
error_log ${tmp}/error.log info;
events { worker_connections 1024; }
http {
    access_log ${tmp}/access.log;
    client_body_temp_path ${tmp}/client_body;
    proxy_temp_path ${tmp}/proxy;
    fastcgi_temp_path ${tmp}/fastcgi;
    uwsgi_temp_path ${tmp}/uwsgi;
    scgi_temp_path ${tmp}/scgi;
    include signalman.conf;
}
`);
  const args = ['-p', tmp, '-c', path.join(conf, 'nginx.conf'), '-e', path.join(tmp, 'error.log')];
  run(NGINX, ['-t', ...args]);
  nginx = spawn(NGINX, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stdout.on('data', (c) => { nginxLog += c; });
  nginx.stderr.on('data', (c) => { nginxLog += c; });
  const deadline = Date.now() + 10000;
  for (;;) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited ${nginx.exitCode}: ${nginxLog}`);
    try {
      if ((await get(pub.main, '/healthz')).status === 200) break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`nginx did not answer: ${e.message}\n${nginxLog}`);
    }
    await sleep(100);
  }
});

afterEach(async () => {
  for (const s of ioSockets) s.close();
  ioSockets.clear();
  const closing = [...sockets].map((ws) => { ws.terminate(); return ws.closed(); });
  sockets.clear();
  await Promise.all(closing);
});

after(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx.once('exit', r));
    nginx.kill('SIGTERM');
    await exited;
  }
  await server?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('operations endpoints answer through nginx', async () => {
  assert.equal((await get(pub.main, '/healthz')).status, 200);
  assert.equal((await get(pub.main, '/readyz')).status, 200);
  const metrics = await get(pub.main, '/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /signalman_/);
});

test('native: two clients join a room and signal', async () => {
  const a = await wss(pub.main, '/v1/ws');
  const b = await wss(pub.main, '/v1/ws');
  const welcomeA = JSON.parse(await a.next());
  assert.equal(welcomeA.type, 'welcome');
  assert.equal(JSON.parse(await b.next()).type, 'welcome');
  a.send('{"type":"join","room":"through-nginx","re":"j1"}');
  assert.equal(JSON.parse(await a.next()).type, 'joined');
  b.send('{"type":"join","room":"through-nginx","re":"j2"}');
  const joined = JSON.parse(await b.next());
  assert.deepEqual(joined.peers.map((p) => p.peer), [welcomeA.peer]);
  assert.equal(JSON.parse(await a.next()).type, 'peer-joined');
  b.send(JSON.stringify({ type: 'signal', to: welcomeA.peer, data: { sdp: 'v=0' } }));
  const signal = JSON.parse(await a.next());
  assert.equal(signal.type, 'signal');
  assert.deepEqual(signal.data, { sdp: 'v=0' });
});

test('pair: created, joined, ready, and a relayed message', async () => {
  const a = await wss(pub.pair, '/');
  const b = await wss(pub.pair, '/');
  a.send('{"type":"join","userId":"alice","remoteId":"bob"}');
  assert.equal(await a.next(), '{"type":"created","room":"room_alice_bob"}');
  assert.equal(JSON.parse(await a.next()).type, 'roomInfo');
  b.send('{"type":"join","userId":"bob","remoteId":"alice"}');
  assert.equal(await b.next(), '{"type":"joined","room":"room_alice_bob"}');
  assert.equal(JSON.parse(await b.next()).type, 'roomInfo');
  assert.equal(await a.next(), '{"type":"ready","room":"room_alice_bob"}');
  assert.equal(JSON.parse(await a.next()).userCount, 2);
  a.send('{"type":"message","data":{"type":"offer","sdp":"v=0"}}');
  assert.equal(await b.next(), '{"type":"message","data":{"type":"offer","sdp":"v=0"},"from":"alice"}');
});

test('broadcast: a frame reaches every other client verbatim, not its sender', async () => {
  const a = await wss(pub.broadcast, '/');
  const b = await wss(pub.broadcast, '/');
  const c = await wss(pub.broadcast, '/any/path');
  await sleep(100); // the upgrade is answered before the node has registered the socket
  const frame = JSON.stringify({ message_type: 'SDP', content: { type: 'offer', sdp: 'v=0\r\n' } });
  a.send(frame);
  assert.equal(await b.next(), frame);
  assert.equal(await c.next(), frame);
  await a.silent(200);
});

test('direct: a frame addressed by id reaches that peer with the sender\'s id', async () => {
  const a = await wss(pub.direct, '/NgxA');
  const b = await wss(pub.direct, '/NgxB');
  await sleep(100);
  a.send(JSON.stringify({ id: 'NgxB', type: 'offer', description: 'v=0\r\n' }));
  assert.equal(await b.next(), JSON.stringify({ id: 'NgxA', type: 'offer', description: 'v=0\r\n' }));
  b.send(JSON.stringify({ id: 'NgxA', type: 'answer', description: 'v=0\r\n' }));
  assert.equal(await a.next(), JSON.stringify({ id: 'NgxB', type: 'answer', description: 'v=0\r\n' }));
});

/** A star peer's life: connect on polling, upgrade to websocket, join, relay a handshake to itself. */
async function starLifecycle(io, port, socketPath, tag) {
  const socket = io(`https://${HOST}:${port}`, { path: socketPath, ca, forceNew: true, reconnection: false, timeout: 10000 });
  ioSockets.add(socket);
  const engine = socket.io.engine;
  const startedOn = engine.transport?.name;
  const upgrade = new Promise((resolve) => engine.once('upgrade', resolve));
  const problems = [];
  socket.on('connect_error', (e) => problems.push(`connect_error: ${e.message}`));
  engine.on('upgradeError', (e) => problems.push(`upgradeError: ${e.message}`));
  await within(new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  }), 10000, `${tag}: connect`);
  assert.equal(startedOn, 'polling', `${tag}: starts on polling`);
  assert.equal((await within(upgrade, 10000, `${tag}: upgrade to websocket`)).name, 'websocket');
  assert.equal(engine.transport.name, 'websocket');
  const ma = `/ip4/127.0.0.1/tcp/${port}/ws/p2p-webrtc-star/p2p/${tag}`;
  const offer = { intentId: tag, srcMultiaddr: ma, dstMultiaddr: ma, signal: { type: 'offer', sdp: 'v=0' } };
  const relayed = within(new Promise((resolve) => socket.on('ws-handshake', (o) => { if (o.intentId === tag) resolve(o); })),
    5000, `${tag}: ws-handshake`);
  socket.emit('ss-join', ma);
  socket.emit('ss-handshake', offer);
  assert.deepEqual(await relayed, offer);
  socket.emit('ss-leave', ma);
  assert.deepEqual(problems, [], `${tag}: problems`);
}

test('star: socket.io-client 4 and 2, polling then websocket, on the star port and the main one', async () => {
  await starLifecycle(io4, pub.star, '/socket.io/', 'NginxStarV4');
  await starLifecycle(io2, pub.star, '/socket.io/', 'NginxStarV2');
  await starLifecycle(io4, pub.main, '/socket.io-next/', 'NginxMainV4');
  await starLifecycle(io2, pub.main, '/socket.io/', 'NginxMainV2');
});

test('workspaces: socket.io-client 2 creates a workspace, another attends, and a call rings', async () => {
  const url = `https://${HOST}:${pub.workspaces}`;
  // The upgrade may be over before the client is handed back: note the first transport as it opens.
  const startedOn = [];
  const io = (...args) => {
    const socket = io2(...args);
    startedOn.push(socket.io.engine.transport?.name);
    return socket;
  };
  const alice = await workspaceClient(url, { io, name: 'alice', options: { ca } });
  ioSockets.add(alice);
  assert.deepEqual(startedOn, ['polling'], 'the library starts on polling');
  assert.ok(Array.isArray(await alice.request('iceservers', {}, 'iceservers')));
  await upgraded(alice);
  const created = await alice.request('create',
    { workspace: { name: 'Demo', pin: '1234', avatar: '' }, attendee: { name: 'Alice', avatar: '' }, nonce: 'n1' }, 'created');
  const bob = await workspaceClient(url, { io, name: 'bob', options: { ca } });
  ioSockets.add(bob);
  const granted = await bob.request('attend',
    { workspace: { token: created.workspace.token, pin: '1234' }, attendee: { name: 'Bob', avatar: '' }, nonce: 'n2' },
    'attendance-granted');
  assert.deepEqual(await alice.next('attend'), granted.attendee);
  await upgraded(bob);
  assert.deepEqual(startedOn, ['polling', 'polling']);
  const call = { id: 'call-1' };
  const offer = { type: 'offer', sdp: 'v=0\r\n' };
  alice.emit('ring', { workspace: { id: created.workspace.id }, attendee: created.attendee, accessToken: created.accessToken,
    call, callee: { id: granted.attendee.id }, offer, nonce: 'n3' });
  assert.deepEqual(await bob.next('ring'),
    { workspace: { id: created.workspace.id }, caller: created.attendee, offer, call, nonce: 'n3' });
});

/** A PeerJS client: an id from the HTTP API, then the socket, which must say OPEN. */
async function peerjsClient(port, base) {
  const res = await get(port, `${base}/peerjs/id`);
  assert.equal(res.status, 200);
  assert.match(res.body, /^[0-9a-f-]{36}$/);
  const ws = await wss(port, `${base}/peerjs?key=peerjs&id=${res.body}&token=t${res.body.slice(0, 6)}&version=1.5.5`);
  assert.equal(await ws.next(), '{"type":"OPEN"}');
  ws.id = res.body;
  return ws;
}

test('peerjs: id over HTTP, OPEN over WebSocket, a relayed OFFER, on its own port and under /peerjs', async () => {
  const a = await peerjsClient(pub.peerjs, '');
  const b = await peerjsClient(pub.main, '/peerjs');
  const offer = { type: 'OFFER', payload: { sdp: { type: 'offer', sdp: 'v=0\r\n' }, connectionId: 'dc_1', type: 'data' }, dst: b.id };
  a.send(JSON.stringify(offer));
  assert.deepEqual(JSON.parse(await b.next()), { type: 'OFFER', src: a.id, dst: b.id, payload: offer.payload });
});

test('nginx and Signalman are still up', () => {
  assert.equal(nginx.exitCode, null, nginxLog);
  assert.ok(server.alive(), 'Signalman is running');
});
