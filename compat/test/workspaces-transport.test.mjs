// Seed 001 (workspaces) transport reliability: socket.io-client 2.5.0 (the generation of the
// original browser library) and 4.8.4, websocket-only and with the default transports (polling,
// then the upgrade to websocket), at /socket.io/ and /socket.io-next/: 50 connections in a row
// each, on a freshly started server, with zero failures. Each connection asks for the ICE servers,
// is refused by the token check, and disconnects.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { within } from './support/within.mjs';
import { ALERTS } from './support/workspaces.mjs';
import {
  socketIoClients, socketIoTransports as transports, socketIoPaths as paths, lifecycle as connection, consecutive,
} from './support/socketio.mjs';

// The original's browser library generation (2.5.0) first: a fresh node meets it before 4.8.4.
const clients = [...socketIoClients].reverse();

const ROUNDS = 50;
const ENV = { MAGICK_TOKEN: 'transport-secret', SALT_STRING: 'transport-salt' };
const ARGS = ['--listen', 'workspaces@127.0.0.1:0', '--ice-server', 'stun:stun.example.org:3478'];

/** One connection's life, its exchange: ask for the ICE servers, be refused by the token check. */
function lifecycle(client, transport, port, path, tag) {
  return connection(client, transport, port, path, tag, async (socket) => {
    const ice = within(new Promise((resolve) => socket.once('iceservers', resolve)), 5000, `${tag}: iceservers`);
    socket.emit('attendees', { workspace: { id: '_w' }, attendee: { id: '_a' }, accessToken: 'stored' });
    socket.emit('iceservers', {});
    assert.deepEqual(await ice, [{ urls: ['stun:stun.example.org:3478'] }]);
    const alert = within(new Promise((resolve) => socket.once('alert', resolve)), 5000, `${tag}: alert`);
    socket.emit('re-attend', { workspace: { id: `_${tag}` }, attendee: { id: '_someone' }, accessToken: 'not-a-token' });
    assert.equal(await alert, ALERTS.badToken);
  });
}

function rounds(client, transport, port, path, label) {
  return consecutive(ROUNDS, label, (tag) => lifecycle(client, transport, port, path, tag));
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
