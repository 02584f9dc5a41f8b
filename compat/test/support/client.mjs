// A `ws` client that queues every message so that tests can assert per-socket order.
import WebSocket from 'ws';

export function connect(url, options = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const queue = [];
    const waiters = [];
    ws.closeInfo = null;
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? data : data.toString();
      const waiter = waiters.shift();
      if (waiter) waiter.resolve(text); else queue.push(text);
    });
    ws.on('close', (code, reason) => {
      ws.closeInfo = { code, reason: reason.toString() };
      for (const w of waiters.splice(0)) w.reject(new Error(`closed ${code} while waiting for a message`));
    });
    /** The next message as text; rejects after `ms`. */
    ws.next = (ms = 5000) => {
      if (queue.length) return Promise.resolve(queue.shift());
      return new Promise((res, rej) => {
        const waiter = { resolve: (v) => { clearTimeout(t); res(v); }, reject: (e) => { clearTimeout(t); rej(e); } };
        const t = setTimeout(() => { waiters.splice(waiters.indexOf(waiter), 1); rej(new Error('no message within ' + ms + ' ms')); }, ms);
        waiters.push(waiter);
      });
    };
    /** Resolves if nothing arrives within `ms`, rejects with what arrived otherwise. */
    ws.silent = async (ms = 300) => {
      await new Promise((r) => setTimeout(r, ms));
      if (queue.length) throw new Error('unexpected message: ' + queue[0]);
    };
    ws.closed = () => new Promise((res) => (ws.closeInfo ? res(ws.closeInfo) : ws.once('close', (code, reason) => res({ code, reason: reason.toString() }))));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
