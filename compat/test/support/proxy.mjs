// A TCP relay in front of a server, for tests that need the network to fail on cue: connections cut
// at once (as when Wi-Fi drops), a port that refuses (server down), or a silent link (packets lost
// without a FIN or RST, as when a NAT forgets the flow).
import net from 'node:net';

/**
 * Listens on 127.0.0.1 (any free port, or `port`) and relays every connection to 127.0.0.1:`target`.
 * Returns { port, connections(), cut(), refuse(), accept(), freeze(), thaw(), retarget(), close() }.
 */
export async function startProxy(target, { port = 0 } = {}) {
  const pairs = new Set();
  let frozen = false;
  let server = null;

  const listen = () => new Promise((resolve, reject) => {
    server = net.createServer((client) => {
      const upstream = net.connect(target, '127.0.0.1');
      const pair = { client, upstream };
      pairs.add(pair);
      const end = () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      // Data is forwarded by hand so that freeze() can drop it; a paused pipe would deliver it later.
      client.on('data', (chunk) => { if (!frozen) upstream.write(chunk); });
      upstream.on('data', (chunk) => { if (!frozen) client.write(chunk); });
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      port = server.address().port;
      resolve();
    });
  });
  await listen();

  return {
    get port() { return port; },
    /** Open relayed connections. */
    connections: () => pairs.size,
    /** Resets every open connection: both ends see the TCP connection die. */
    cut() {
      for (const { client, upstream } of [...pairs]) {
        client.resetAndDestroy();
        upstream.destroy();
      }
    },
    /** Cuts every connection and stops listening: new connections are refused. */
    async refuse() {
      await new Promise((resolve) => { server.close(() => resolve()); this.cut(); });
    },
    /** Listens again on the same port. */
    accept: () => listen(),
    /** Keeps connections open but drops everything sent either way. */
    freeze() { frozen = true; },
    thaw() { frozen = false; },
    /** New connections go to 127.0.0.1:`next` (as a load balancer that took a node out would). */
    retarget(next) { target = next; },
    async close() {
      this.cut();
      if (server.listening) await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
