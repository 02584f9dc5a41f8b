// Real peer connections set up through Signalman's plain-WebSocket dialects: the data channel
// opens and carries messages both ways. Runs in a loopback-only network namespace (see bin/test).
// The node-datachannel peers run in child processes (support/ndc-runner.mjs): libdatachannel can
// abort at exit, and it must never share a process with @roamhq/wrtc (both bundle an SCTP stack).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { ndcPeer } from './support/ndc-runner.mjs';

let server;

before(async () => {
  server = await startServer(['--listen', 'direct@127.0.0.1:0']);
});

after(async () => {
  await server?.stop();
});

test('direct: two node-datachannel peers open channel `test` and greet each other (seed 004 flow)', async (t) => {
  const url = `ws://127.0.0.1:${server.ports.direct}`;
  const a = ndcPeer(t, 'direct', { url, id: 'AAAA' });
  const b = ndcPeer(t, 'direct', { url, id: 'BBBB' });
  await Promise.all([a.opened(), b.opened()]);
  a.offerTo('BBBB');
  const [atA, atB] = await Promise.all([a.waitFor(1), b.waitFor(1)]);
  assert.deepEqual(atA, ['Hello From BBBB']);
  assert.deepEqual(atB, ['Hello from AAAA']);
  assert.deepEqual(a.labels(), ['test']);
  assert.deepEqual(b.labels(), ['test']);
  await Promise.all([a.end(), b.end()]);
});

test('direct: node-datachannel\'s WebSocket, as dist/peer.js uses it, gets offer, candidates and answer with id rewritten', async (t) => {
  const url = `ws://127.0.0.1:${server.ports.direct}`;
  const open = async (id) => {
    const socket = ndcPeer(t, 'socket', { url: `${url}/${id}` });
    await socket.opened();
    return socket;
  };
  const a = await open('GRA1');
  const b = await open('GRB1');
  const offer = JSON.stringify({ id: 'GRB1', type: 'offer', description: 'v=0\r\no=rtc 1 0 IN IP4 127.0.0.1\r\n' });
  const candidate = JSON.stringify({ id: 'GRB1', type: 'candidate', candidate: 'a=candidate:2 1 UDP 2116026111 fd00::2 58527 typ host', mid: '0' });
  a.send(offer);
  a.send(candidate);
  assert.equal(await b.nextMessage(), offer.replace('"GRB1"', '"GRA1"'));
  assert.equal(await b.nextMessage(), candidate.replace('"GRB1"', '"GRA1"'));
  const answer = JSON.stringify({ id: 'GRA1', type: 'answer', description: 'v=0\r\n' });
  b.send(answer);
  assert.equal(await a.nextMessage(), answer.replace('"GRA1"', '"GRB1"'));
  await Promise.all([a.end(), b.end()]);
});
