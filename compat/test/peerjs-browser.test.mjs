// The real `peerjs` 1.5.5 client library, unmodified (its browser bundle from node_modules), in
// Debian's Chromium driven by playwright-core, with Signalman as its PeerServer: one page on the
// peerjs listener (path /, id from GET /peerjs/id), the other on the main listener under /peerjs
// (an id of its own). They open a DataConnection and a MediaConnection with Chromium's fake camera.
// Real WebRTC: run inside a loopback-only network namespace (bin/test does); no STUN/TURN servers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './support/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BUNDLE = path.join(here, '../node_modules/peerjs/dist/peerjs.min.js');
const CHROMIUM = '/usr/bin/chromium';

let server;
let web;
let context;
let userDataDir;
let pageUrl;

before(async () => {
  server = await startServer(['--listen', 'peerjs@127.0.0.1:0']);
  // The test page comes from an origin of its own, so the library's id request is cross-origin (CORS).
  const bundle = fs.readFileSync(BUNDLE);
  web = http.createServer((req, res) => {
    if (req.url === '/peerjs.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><html><head><script src="/peerjs.min.js"></script></head><body></body></html>');
    }
  });
  await new Promise((resolve) => web.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${web.address().port}/`;
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalman-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      // Chromium leaves loopback interfaces out of ICE gathering; in a namespace that has nothing
      // else, the two pages could not reach each other without it.
      '--allow-loopback-in-peer-connection'],
  });
});

after(async () => {
  await context?.close();
  await new Promise((resolve) => (web ? web.close(resolve) : resolve()));
  await server?.stop();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

/** A page with a Peer; resolves with its id once the server has sent OPEN. */
async function peerPage(options, id) {
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  await page.goto(pageUrl);
  const opened = await page.evaluate(([opts, wanted]) => new Promise((resolve, reject) => {
    const peer = wanted ? new Peer(wanted, opts) : new Peer(opts);
    window.peer = peer;
    window.received = [];
    peer.on('open', resolve);
    peer.on('error', (e) => reject(new Error(`${e.type}: ${e.message}`)));
    // Echo every data message; answer calls with this page's own fake camera.
    peer.on('connection', (conn) => conn.on('data', (data) => { window.received.push(data); conn.send({ echo: data }); }));
    peer.on('call', async (call) => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
      call.answer(stream);
      call.on('stream', (remote) => { window.answererStream = remote; });
    });
  }), [options, id]);
  return { page, id: opened };
}

const iceless = { config: { iceServers: [] } };

test('two pages get ids from Signalman and exchange messages over a DataConnection, then video over a MediaConnection', { timeout: 90000 }, async () => {
  const a = await peerPage({ host: '127.0.0.1', port: server.ports.peerjs, path: '/', ...iceless });
  assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // from GET /peerjs/id
  const bId = `browser-b-${process.pid}`;
  const b = await peerPage({ host: '127.0.0.1', port: server.ports.main, path: '/peerjs', ...iceless }, bId);
  assert.equal(b.id, bId);

  const replies = await b.page.evaluate((remote) => new Promise((resolve, reject) => {
    const conn = window.peer.connect(remote, { reliable: true });
    const replies = [];
    conn.on('error', reject);
    conn.on('open', () => { conn.send('hello'); conn.send({ n: 2, list: [1, 'two'] }); });
    conn.on('data', (data) => { replies.push(data); if (replies.length === 2) resolve(replies); });
  }), a.id);
  assert.deepEqual(replies, [{ echo: 'hello' }, { echo: { n: 2, list: [1, 'two'] } }]);
  assert.deepEqual(await a.page.evaluate(() => window.received), ['hello', { n: 2, list: [1, 'two'] }]);

  const width = await b.page.evaluate((remote) => new Promise(async (resolve, reject) => {
    const local = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    const call = window.peer.call(remote, local);
    call.on('error', reject);
    call.on('stream', (stream) => {
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.srcObject = stream;
      document.body.append(video);
      const check = () => (video.videoWidth > 0 ? resolve(video.videoWidth) : setTimeout(check, 50));
      check();
    });
  }), a.id);
  assert.ok(width > 0, `remote video width ${width}`);
  // The answering side receives the caller's video too.
  const answererWidth = await a.page.evaluate(() => new Promise((resolve) => {
    const wait = () => {
      if (!window.answererStream) return setTimeout(wait, 50);
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.srcObject = window.answererStream;
      document.body.append(video);
      const check = () => (video.videoWidth > 0 ? resolve(video.videoWidth) : setTimeout(check, 50));
      check();
    };
    wait();
  }));
  assert.ok(answererWidth > 0, `answerer's remote video width ${answererWidth}`);
});

test('a second page cannot take an id in use: the library reports unavailable-id', { timeout: 30000 }, async () => {
  const first = await peerPage({ host: '127.0.0.1', port: server.ports.peerjs, path: '/', ...iceless }, `taken-${process.pid}`);
  const page = await context.newPage();
  await page.goto(pageUrl);
  const error = await page.evaluate(([id, opts]) => new Promise((resolve) => {
    const peer = new Peer(id, opts);
    peer.on('open', () => resolve('opened'));
    peer.on('error', (e) => resolve(e.type));
  }), [first.id, { host: '127.0.0.1', port: server.ports.peerjs, path: '/', ...iceless }]);
  assert.equal(error, 'unavailable-id');
});
