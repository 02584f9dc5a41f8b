// A seed-004 peer as the original dist/peer.js behaves: node-datachannel's WebSocket to
// ws://HOST:PORT/<id>, frames {id, type, description} and {id, type: 'candidate', candidate, mid},
// data channel `test`; the offerer greets "Hello from <id>" when the channel opens, the answerer
// "Hello From <id>" as soon as it gets the channel. Load it only in files that use no @roamhq/wrtc.
import { nodeDataChannel, once } from './peers.mjs';

/**
 * Connects a peer with id `id` to the direct listener at `url` (ws://HOST:PORT).
 * Returns { opened, offerTo(remote), waitFor(count, ms), received, labels, send(text), close() }.
 */
export function directPeer(url, id) {
  const ws = new nodeDataChannel.WebSocket();
  const peers = new Map();
  const received = [];
  const labels = [];
  const channels = [];
  let onReceived = () => {};
  const opened = new Promise((resolve, reject) => {
    ws.onOpen(resolve);
    ws.onError(reject);
  });
  const keep = (dc) => {
    labels.push(dc.getLabel());
    channels.push(dc);
    dc.onMessage((msg) => { received.push(typeof msg === 'string' ? msg : Buffer.from(msg)); onReceived(); });
  };
  const newPeer = (remote) => {
    // No STUN (offline), and libjuice gathers no loopback candidates unless bound to one.
    const pc = new nodeDataChannel.PeerConnection('pc-' + id, { iceServers: [], bindAddress: '127.0.0.1' });
    pc.onLocalDescription((description, type) => ws.sendMessage(JSON.stringify({ id: remote, type, description })));
    pc.onLocalCandidate((candidate, mid) => ws.sendMessage(JSON.stringify({ id: remote, type: 'candidate', candidate, mid })));
    pc.onDataChannel((dc) => {
      keep(dc);
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
    received,
    labels,
    offerTo(remote) {
      const pc = newPeer(remote);
      const dc = pc.createDataChannel('test');
      dc.onOpen(() => dc.sendMessage('Hello from ' + id));
      keep(dc);
    },
    waitFor(count, ms = 15000) {
      return once((cb) => { onReceived = () => received.length >= count && cb(received); onReceived(); }, ms, `${count} data-channel messages at ${id}`);
    },
    send(text) { channels[0].sendMessage(text); },
    close() { for (const pc of peers.values()) pc.close(); ws.close(); },
  };
}
