// Real peer connections set up through Signalman's plain-WebSocket dialects: the data channel
// opens and carries messages both ways. Runs in a loopback-only network namespace (see bin/test).
// node-datachannel and @roamhq/wrtc each bundle their own SCTP stack, so they run in separate files
// (node --test gives each file its own process); together in one process they crash at exit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { nodeDataChannel, once } from './support/peers.mjs';
import { directPeer } from './support/direct-peer.mjs';

let server;

before(async () => {
  server = await startServer(['--listen', 'direct@127.0.0.1:0']);
});

after(async () => {
  await server?.stop();
  await new Promise((r) => setTimeout(r, 300)); // let libdatachannel finish closing before its threads go
  nodeDataChannel.cleanup();
});

test('direct: two node-datachannel peers open channel `test` and greet each other (seed 004 flow)', async () => {
  const url = `ws://127.0.0.1:${server.ports.direct}`;
  const a = directPeer(url, 'AAAA');
  const b = directPeer(url, 'BBBB');
  await Promise.all([a.opened, b.opened]);
  a.offerTo('BBBB');
  const [atA, atB] = await Promise.all([a.waitFor(1), b.waitFor(1)]);
  assert.deepEqual(atA, ['Hello From BBBB']);
  assert.deepEqual(atB, ['Hello from AAAA']);
  a.close();
  b.close();
});

test('direct: node-datachannel\'s WebSocket, as dist/peer.js uses it, gets offer, candidates and answer with id rewritten', async () => {
  const url = `ws://127.0.0.1:${server.ports.direct}`;
  const open = (id) => new Promise((resolve, reject) => {
    const ws = new nodeDataChannel.WebSocket();
    const inbox = [];
    let wake = () => {};
    ws.onMessage((m) => { inbox.push(String(m)); wake(); });
    ws.onOpen(() => resolve({
      send: (text) => ws.sendMessage(text),
      next: () => (inbox.length ? Promise.resolve(inbox.shift())
        : once((cb) => { wake = () => cb(inbox.shift()); }, 5000, 'a message at ' + id)),
      close: () => ws.close(),
    }));
    ws.onError(reject);
    ws.open(`${url}/${id}`);
  });
  const a = await open('GRA1');
  const b = await open('GRB1');
  const offer = JSON.stringify({ id: 'GRB1', type: 'offer', description: 'v=0\r\no=rtc 1 0 IN IP4 127.0.0.1\r\n' });
  const candidate = JSON.stringify({ id: 'GRB1', type: 'candidate', candidate: 'a=candidate:2 1 UDP 2116026111 fd00::2 58527 typ host', mid: '0' });
  a.send(offer);
  a.send(candidate);
  assert.equal(await b.next(), offer.replace('"GRB1"', '"GRA1"'));
  assert.equal(await b.next(), candidate.replace('"GRB1"', '"GRA1"'));
  const answer = JSON.stringify({ id: 'GRA1', type: 'answer', description: 'v=0\r\n' });
  b.send(answer);
  assert.equal(await a.next(), answer.replace('"GRA1"', '"GRB1"'));
  a.close();
  b.close();
});

