// The web demo at / in real browsers: Debian's chromium, driven by playwright-core, with fake camera
// and microphone. Pages meet in a room, connect pairwise, decode each other's video, chat over data
// channels, survive a reload and a server outage, and hear clearly when a room is full. The mesh's
// glare handling is checked on its own with offers that are made to cross.
//
// Runs in a loopback-only network namespace (bin/test): the server configures no ICE servers, so
// the browsers' only candidates are 127.0.0.1. Screenshots go to test-artifacts/web-demo/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { startServer } from './support/server.mjs';
import { startProxy } from './support/proxy.mjs';
import { SignalmanClient } from '../../server/src/main/resources/web/sdk/signalman.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const artifacts = path.join(root, 'test-artifacts', 'web-demo');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const MESH_MS = 45000; // to connect a room: three browsers share two cores with everything else

let server;
let relay; // pages reach the server through it, so that a test can take the server away
let base;
let userDataDir;
let browser;
const pageErrors = [];
const consoleLines = []; // warnings and errors the pages logged, shown when a room does not connect

before(async () => {
  fs.rmSync(artifacts, { recursive: true, force: true }); // screenshots of this run only
  fs.mkdirSync(artifacts, { recursive: true });
  server = await startServer(['--ice-server', 'none']);
  relay = await startProxy(server.ports.main);
  base = `http://127.0.0.1:${relay.port}`;
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalman-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      // Chromium leaves loopback out of WebRTC's interfaces; in this namespace it is the only one.
      '--allow-loopback-in-peer-connection',
    ],
  });
});

after(async () => {
  await browser?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  await relay?.close();
  await server?.stop();
});

let unique = 0;
const roomName = (label) => `${label}-${process.pid}-${++unique}`;

/** A page that has joined `room` as `name` from a shared link; `viewport` to look like a phone. */
async function joinAs(name, room, { viewport } = {}) {
  const page = await browser.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error') consoleLines.push(`${name}: ${message.text()}`);
  });
  await page.goto(`${base}/?room=${encodeURIComponent(room)}`);
  assert.equal(await page.inputValue('#room'), room);
  await page.fill('#name', name);
  await page.click('#join');
  await page.waitForSelector('#call:not([hidden])', { timeout: 15000 });
  return page;
}

/** The remote tiles of a page as the test sees them. */
const tilesOf = (page) => page.$$eval('.tile:not(.local)', (tiles) => tiles.map((tile) => ({
  name: tile.dataset.name,
  peer: tile.dataset.peer,
  state: tile.dataset.state,
  videoWidth: tile.querySelector('video').videoWidth,
})));

/**
 * Waits until every page shows exactly one tile per other page, connected and with decoded video.
 * On timeout it fails with what each page showed and leaves a screenshot of each.
 */
async function meshUp(pages, label) {
  const names = [...pages.keys()];
  try {
    await Promise.all(names.map((name) => pages.get(name).waitForFunction((others) => {
      const tiles = [...document.querySelectorAll('.tile:not(.local)')];
      return tiles.length === others.length && others.every((other) => tiles.some((tile) =>
        tile.dataset.name === other && tile.dataset.state === 'connected' && tile.querySelector('video').videoWidth > 0));
    }, names.filter((other) => other !== name), { timeout: MESH_MS, polling: 250 })));
  } catch (error) {
    const seen = {};
    for (const name of names) {
      seen[name] = await pages.get(name).evaluate(() => ({
        me: demo.client.peer,
        links: demo.mesh?.peers.map(({ peer, polite, pc }) => ({
          peer, polite, signaling: pc.signalingState, ice: pc.iceConnectionState, connection: pc.connectionState,
          gathering: pc.iceGatheringState, local: pc.localDescription?.type, remote: pc.remoteDescription?.type,
          remoteCandidates: (pc.remoteDescription?.sdp.match(/a=candidate/g) ?? []).length,
          localCandidates: (pc.localDescription?.sdp.match(/a=candidate/g) ?? []).length,
        })),
      })).catch((e) => e.message);
      await pages.get(name).screenshot({ path: path.join(artifacts, `${label}-FAILED-${name}.png`) }).catch(() => {});
    }
    throw new Error(`${label}: the room did not connect: ${JSON.stringify(seen)}\n${consoleLines.join('\n')}\n${error.message}`);
  }
}

async function screenshots(pages, label) {
  for (const [name, page] of pages) await page.screenshot({ path: path.join(artifacts, `${label}-${name}.png`) });
}

async function sendChat(page, text) {
  await page.fill('#chat-input', text);
  await page.press('#chat-input', 'Enter');
}

const chatOf = (page) => page.$$eval('#messages li', (items) => items.map((li) => ({
  from: li.querySelector('b').textContent,
  text: li.querySelector('span').textContent,
})));

test('two pages, then three, meet in a room: connected, decoding video, chatting, rejoining after a reload', { timeout: 240000 }, async () => {
  const room = roomName('call');
  const pages = new Map();
  pages.set('Ada', await joinAs('Ada', room));
  pages.set('Bo', await joinAs('Bo', room));
  await meshUp(pages, 'two');
  await screenshots(pages, 'two');

  pages.set('Cy', await joinAs('Cy', room, { viewport: { width: 390, height: 844 } }));
  await meshUp(pages, 'three');

  // Chat goes over the data channels, to everyone else.
  await sendChat(pages.get('Ada'), 'hello from Ada');
  await sendChat(pages.get('Cy'), 'Cy here, on a phone');
  for (const [name, page] of pages) {
    await page.waitForFunction(() => document.querySelectorAll('#messages li').length === 2, null, { timeout: 10000 });
    const byText = (a, b) => a.text.localeCompare(b.text);
    assert.deepEqual((await chatOf(page)).sort(byText), [
      { from: name === 'Ada' ? 'You' : 'Ada', text: 'hello from Ada' },
      { from: name === 'Cy' ? 'You' : 'Cy', text: 'Cy here, on a phone' },
    ].sort(byText), name);
  }

  // Muting disables the local track and the others see it on the tile.
  const ada = pages.get('Ada');
  await ada.click('#mic');
  assert.equal(await ada.getAttribute('#mic', 'aria-pressed'), 'true');
  for (const name of ['Bo', 'Cy']) {
    await pages.get(name).waitForSelector('.tile[data-name="Ada"] .muted-mic:not([hidden])', { timeout: 10000 });
  }
  await screenshots(pages, 'three');
  await ada.click('#mic');
  await pages.get('Bo').waitForSelector('.tile[data-name="Ada"] .muted-mic[hidden]', { state: 'attached', timeout: 10000 });

  // A reload rejoins the same room by itself, as a new peer.
  const cy = pages.get('Cy');
  const oldCy = (await tilesOf(ada)).find((t) => t.name === 'Cy').peer;
  await cy.reload();
  await cy.waitForSelector('#call:not([hidden])', { timeout: 15000 });
  assert.match(cy.url(), new RegExp(`\\?room=${room}$`));
  await meshUp(pages, 'reloaded');
  const newCy = (await tilesOf(ada)).find((t) => t.name === 'Cy').peer;
  assert.notEqual(newCy, oldCy);
  await screenshots(new Map([['Cy', cy]]), 'reloaded');

  for (const page of pages.values()) await page.close();
  assert.deepEqual(pageErrors, []);
});

test('when the server goes away the pages say so, and when it is back they meet again', { timeout: 180000 }, async () => {
  const room = roomName('outage');
  const pages = new Map();
  pages.set('Ada', await joinAs('Ada', room));
  pages.set('Bo', await joinAs('Bo', room));
  await meshUp(pages, 'before-outage');

  await relay.refuse();
  for (const page of pages.values()) {
    await page.waitForFunction(() => /unreachable/.test(document.getElementById('notice').textContent)
      && !document.getElementById('notice').hidden, null, { timeout: 20000 });
    assert.equal(await page.getAttribute('#status', 'data-state'), 'reconnecting');
  }
  await screenshots(pages, 'outage');

  await relay.accept();
  for (const page of pages.values()) {
    await page.waitForSelector('#status[data-state="open"]', { timeout: 20000 });
    assert.equal(await page.isHidden('#notice'), true);
  }
  await meshUp(pages, 'after-outage');
  for (const page of pages.values()) await page.close();
  assert.deepEqual(pageErrors, []);
});

test('a full room is refused with a message that says so', { timeout: 60000 }, async () => {
  const small = await startServer(['--ice-server', 'none', '--room-capacity', '2']);
  const url = `ws://127.0.0.1:${small.ports.main}/v1/ws`;
  const room = roomName('full');
  const members = [new SignalmanClient(url, { WebSocket }), new SignalmanClient(url, { WebSocket })];
  let page;
  try {
    for (const member of members) {
      await member.connect();
      await member.join(room);
    }
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(`full: ${error.message}`));
    await page.goto(`http://127.0.0.1:${small.ports.main}/#${encodeURIComponent(room)}`);
    assert.equal(await page.inputValue('#room'), room);
    await page.click('#join');
    await page.waitForSelector('#lobby-error:not([hidden])', { timeout: 15000 });
    assert.match(await page.textContent('#lobby-error'), new RegExp(`Room “${room}” is full`));
    assert.equal(await page.isHidden('#call'), true);
    await page.screenshot({ path: path.join(artifacts, 'room-full.png') });
  } finally {
    await page?.close();
    for (const member of members) member.close();
    await small.stop();
  }
  assert.deepEqual(pageErrors, []);
});

test('the mesh settles offers that cross: the peer with the smaller id yields', { timeout: 60000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/info`);
  const outcome = await page.evaluate(async () => {
    const { Mesh } = await import('/sdk/signalman.js');
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    // A stand-in for SignalmanClient that holds every signal until the test lets it through.
    const fakeClient = (peer) => {
      const handlers = new Map();
      return {
        peer,
        iceServers: [],
        outbox: [],
        on(type, fn) { handlers.set(type, [...(handlers.get(type) ?? []), fn]); return () => {}; },
        emit(type, detail) { for (const fn of handlers.get(type) ?? []) fn(detail); },
        members: () => [],
        signal(to, data, { room }) { this.outbox.push({ room, data: JSON.parse(JSON.stringify(data)) }); return Promise.resolve(); },
      };
    };
    const low = fakeClient('AAAAAAAAAA');
    const high = fakeClient('zzzzzzzzzz');
    const meshes = { low: new Mesh(low, 'g', { channels: { chat: {} } }), high: new Mesh(high, 'g', { channels: { chat: {} } }) };
    const glare = [];
    const received = [];
    const states = { low: [], high: [] };
    for (const [side, mesh] of Object.entries(meshes)) {
      mesh.on('glare', (e) => glare.push({ side, polite: e.polite }));
      mesh.on('state', (e) => states[side].push(e.state));
      mesh.on('message', (e) => received.push({ side, data: e.data }));
    }
    // Each is told the other was in the room first, so both make an offer at once.
    low.emit('peer-joined', { room: 'g', peer: high.peer, meta: {}, existing: true });
    high.emit('peer-joined', { room: 'g', peer: low.peer, meta: {}, existing: true });
    const offered = (client) => client.outbox.some((m) => m.data.description?.type === 'offer');
    for (let i = 0; i < 200 && !(offered(low) && offered(high)); i++) await sleep(25);
    const crossed = offered(low) && offered(high);
    // Now deliver everything, in order, each way.
    const pump = setInterval(() => {
      for (const [from, to] of [[low, high], [high, low]]) {
        while (from.outbox.length) to.emit('signal', { from: from.peer, room: 'g', ...from.outbox.shift() });
      }
    }, 5);
    const open = (mesh) => mesh.peers[0]?.channels.get('chat')?.readyState === 'open';
    for (let i = 0; i < 400 && !(open(meshes.low) && open(meshes.high)); i++) await sleep(25);
    meshes.low.send('chat', 'from low');
    meshes.high.send('chat', 'from high');
    for (let i = 0; i < 100 && received.length < 2; i++) await sleep(25);
    clearInterval(pump);
    const result = {
      crossed, glare, received, states,
      polite: { low: meshes.low.peers[0]?.polite, high: meshes.high.peers[0]?.polite },
      final: { low: meshes.low.peers[0]?.pc.connectionState, high: meshes.high.peers[0]?.pc.connectionState },
    };
    meshes.low.close();
    meshes.high.close();
    return result;
  });
  await page.close();
  assert.equal(outcome.crossed, true, 'both offers were out before either was delivered');
  assert.deepEqual(outcome.polite, { low: true, high: false });
  assert.deepEqual(outcome.glare.sort((a, b) => a.side.localeCompare(b.side)), [
    { side: 'high', polite: false },
    { side: 'low', polite: true },
  ]);
  assert.deepEqual(outcome.final, { low: 'connected', high: 'connected' }, JSON.stringify(outcome.states));
  assert.deepEqual(outcome.received.sort((a, b) => a.side.localeCompare(b.side)), [
    { side: 'high', data: 'from low' },
    { side: 'low', data: 'from high' },
  ]);
});
