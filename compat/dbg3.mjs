import { wrtcPeer } from './test/support/peers.mjs';
const mode = process.argv[2];
let a, b;
a = wrtcPeer({ initiator: true, signal: (m) => setTimeout(() => b.receive(m), 1) });
b = wrtcPeer({ initiator: false, signal: (m) => setTimeout(() => a.receive(m), 1) });
await a.offer();
const [ca, cb] = await Promise.all([a.channel(), b.channel()]);
cb.onmessage = (e) => cb.send('echo:' + e.data);
await new Promise((r) => { ca.onmessage = r; ca.send('x'); });
if (mode === 'closech') { ca.close(); cb.close(); }
if (mode !== 'noclose') { a.close(); b.close(); }
console.log('done');
