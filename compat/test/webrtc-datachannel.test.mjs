// Real peer connections set up through Signalman's plain-WebSocket dialects: the data channel
// opens and carries messages both ways. Runs in a loopback-only network namespace (see bin/test).
// node-datachannel and @roamhq/wrtc each bundle their own SCTP stack, so they run in separate files
// (node --test gives each file its own process); together in one process they crash at exit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { nodeDataChannel, once } from './support/peers.mjs';

let server;

before(async () => {
  server = await startServer(['--listen', 'direct@127.0.0.1:0']);
});

after(async () => {
  await server?.stop();
  nodeDataChannel.cleanup();
});

/** A seed-004 peer as dist/peer.js behaves: node-datachannel WebSocket and PeerConnection, channel `test`. */
function directPeer(url, id) {
  const ws = new nodeDataChannel.WebSocket();
  const peers = new Map();
  const received = [];
  let onReceived = () => {};
  const opened = new Promise((resolve, reject) => {
    ws.onOpen(resolve);
    ws.onError(reject);
  });
  const newPeer = (remote) => {
    // No STUN (offline), and libjuice gathers no loopback candidates unless bound to one.
    const pc = new nodeDataChannel.PeerConnection('pc-' + id, { iceServers: [], bindAddress: '127.0.0.1' });
    pc.onLocalDescription((description, type) => ws.sendMessage(JSON.stringify({ id: remote, type, description })));
    pc.onLocalCandidate((candidate, mid) => ws.sendMessage(JSON.stringify({ id: remote, type: 'candidate', candidate, mid })));
    pc.onDataChannel((dc) => {
      dc.onMessage((msg) => { received.push(msg); onReceived(); });
      dc.sendMessage('Hello From ' + id);
    });
    peers.set(remote, pc);
    return pc;
  };
  ws.onMessage((text) => {
    const msg = JSON.parse(text);
    let pc = peers.get(msg.id);
    if (msg.type === 'offer') {
      pc = newPeer(msg.id);
      pc.setRemoteDescription(msg.description, msg.type);
    } else if (msg.type === 'answer') {
      pc.setRemoteDescription(msg.description, msg.type);
    } else if (msg.type === 'candidate') {
      pc.addRemoteCandidate(msg.candidate, msg.mid);
    }
  });
  ws.open(url + '/' + id);
  return {
    opened,
    offerTo(remote) {
      const pc = newPeer(remote);
      const dc = pc.createDataChannel('test');
      dc.onOpen(() => dc.sendMessage('Hello from ' + id));
      dc.onMessage((msg) => { received.push(msg); onReceived(); });
    },
    waitFor(count, ms = 15000) {
      return once((cb) => { onReceived = () => received.length >= count && cb(received); onReceived(); }, ms, `${count} data-channel messages at ${id}`);
    },
    close() { for (const pc of peers.values()) pc.close(); ws.close(); },
  };
}

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

