// Seed 001 (workspaces) transport reliability: socket.io-client 2.5.0 (the generation of the
// original browser library) and 4.8.4, websocket-only and with the default transports (polling,
// then the upgrade to websocket), at /socket.io/ and /socket.io-next/: 50 connections in a row
// each, on a freshly started server, with zero failures. Each connection asks for the ICE servers,
// is refused by the token check, and disconnects.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { io as io4 } from 'socket.io-client';
import { startServer } from './support/server.mjs';
import { ALERTS, within } from './support/workspaces.mjs';

const require = createRequire(import.meta.url);
const io2 = require('socket.io-client-v2');

const ROUNDS = 50;
const ENV = { MAGICK_TOKEN: 'transport-secret', SALT_STRING: 'transport-salt' };
const ARGS = ['--listen', 'workspaces@127.0.0.1:0', '--ice-server', 'stun:stun.example.org:3478'];

const clients = [
  { name: 'socket.io-client 2.5.0', io: io2 },
  { name: 'socket.io-client 4.8.4', io: io4 },
];
const transports = [
  { name: 'websocket only', options: { transports: ['websocket'] }, upgrade: false },
  { name: 'default transports (polling, then upgrade)', options: {}, upgrade: true },
];
const paths = ['/socket.io/', '/socket.io-next/'];

/** One connection's life; any error, timeout or unexpected disconnect fails it. */
async function lifecycle(client, transport, port, path, tag) {
  const socket = client.io(`http://127.0.0.1:${port}`, {
    ...transport.options, path, forceNew: true, reconnection: false, timeout: 10000,
  });
  const engine = socket.io.engine;
  const problems = [];
  socket.on('connect_error', (e) => problems.push(`connect_error: ${e.message}`));
  socket.on('error', (e) => problems.push(`error: ${e?.message ?? e}`));
  engine.on('upgradeError', (e) => problems.push(`upgradeError: ${e.message}`));
  let expectedDisconnect = false;
  socket.on('disconnect', (reason) => { if (!expectedDisconnect) problems.push(`disconnect: ${reason}`); });
  try {
    await within(new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    }), 10000, `${tag}: connect`);
    if (transport.upgrade && engine.transport.name !== 'websocket') {
      await within(new Promise((resolve) => engine.once('upgrade', resolve)), 10000, `${tag}: upgrade to websocket`);
    }
    assert.equal(engine.transport.name, 'websocket', `${tag}: transport`);
    const ice = within(new Promise((resolve) => socket.once('iceservers', resolve)), 5000, `${tag}: iceservers`);
    socket.emit('attendees', { workspace: { id: '_w' }, attendee: { id: '_a' }, accessToken: 'stored' });
    socket.emit('iceservers', {});
    assert.deepEqual(await ice, [{ urls: ['stun:stun.example.org:3478'] }]);
    const alert = within(new Promise((resolve) => socket.once('alert', resolve)), 5000, `${tag}: alert`);
    socket.emit('re-attend', { workspace: { id: `_${tag}` }, attendee: { id: '_someone' }, accessToken: 'not-a-token' });
    assert.equal(await alert, ALERTS.badToken);
    expectedDisconnect = true;
    const gone = new Promise((resolve) => socket.once('disconnect', resolve));
    socket.disconnect();
    assert.equal(await within(gone, 2000, `${tag}: disconnect`), 'io client disconnect');
    assert.deepEqual(problems, [], `${tag}: problems`);
  } finally {
    socket.close();
  }
}

async function rounds(client, transport, port, path, label) {
  const failures = [];
  for (let i = 0; i < ROUNDS; i++) {
    try {
      await lifecycle(client, transport, port, path, `${label}-${i}`);
    } catch (e) {
      failures.push(`#${i}: ${e.message}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${ROUNDS} connections failed`);
}

let labels = 0;
for (const client of clients) {
  for (const transport of transports) {
    for (const path of paths) {
      test(`${client.name}, ${transport.name}, ${path}: ${ROUNDS} connections from a cold start`, { timeout: 180000 }, async () => {
        const server = await startServer(ARGS, { env: ENV });
        try {
          await rounds(client, transport, server.ports.workspaces, path, `c${++labels}`);
          assert.equal(server.alive(), true);
          assert.doesNotMatch(server.logs(), /\bERROR\b/);
        } finally {
          await server.stop();
        }
      });
    }
  }
}

describe('the main listener', () => {
  let server;
  before(async () => { server = await startServer(ARGS, { env: ENV }); });
  after(async () => { await server?.stop(); });
  test('serves the workspaces events too, at both paths', async () => {
    for (const path of paths) {
      for (const client of clients) {
        for (const transport of transports) await lifecycle(client, transport, server.ports.main, path, `main${++labels}`);
      }
    }
  });
});
