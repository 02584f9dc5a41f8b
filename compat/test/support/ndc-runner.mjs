// Runs a node-datachannel peer (ndc-peer.mjs) in a child process and lets a test wait for what it
// observes. libdatachannel sometimes aborts in cleanup() or at process exit; in a test file's own
// process that killed the whole file after its tests had passed. In a child, an abort before the
// peer has reported everything still fails the test (with the child's stderr), while one after it
// is only noted: it happens in libdatachannel's teardown, not in anything the server did.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lineSplitter } from './server.mjs';

const script = fileURLToPath(new URL('./ndc-peer.mjs', import.meta.url));

/**
 * Starts `node ndc-peer.mjs MODE OPTIONS` for test context `t` (see ndc-peer.mjs for the modes).
 * The child is killed when the test ends, whatever its outcome. Every wait rejects at once if the
 * child reports an error or exits, with its stderr in the message.
 */
export function ndcPeer(t, mode, options) {
  const label = `node-datachannel ${mode} peer ${options.id ?? options.name ?? options.me ?? options.url}`;
  const child = spawn(process.execPath, [script, mode, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const events = [];
  const noise = [];
  let stderr = '';
  let exit = null;
  const watchers = new Set();
  const wake = () => { for (const w of [...watchers]) w(); };

  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', lineSplitter((line) => {
    let event;
    try { event = JSON.parse(line); } catch { noise.push(line); return; }
    events.push(event);
    wake();
  }));
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  // A command written after the child died is reported through the exit, not as a pipe error.
  child.stdin.on('error', () => {});
  const exited = new Promise((resolve) => child.on('close', (code, signal) => { exit = { code, signal }; wake(); resolve(exit); }));
  t.after(() => { if (exit === null) child.kill('SIGKILL'); });

  const describeExit = () => (exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`);
  const details = () => [
    `events so far: ${JSON.stringify(events)}`,
    noise.length ? `other output:\n${noise.join('\n')}` : '',
    `stderr:\n${stderr || '(empty)'}`,
  ].filter(Boolean).join('\n');

  /** Resolves with the first truthy `check(events)`; rejects on an error event, on exit, or after `ms`. */
  function until(check, ms, what) {
    return new Promise((resolve, reject) => {
      let timer;
      const settle = (fn, value) => { clearTimeout(timer); watchers.delete(watch); fn(value); };
      const watch = () => {
        const error = events.find((e) => e.event === 'error');
        if (error) return settle(reject, new Error(`${label} reported an error while waiting for ${what}: ${error.message}\n${details()}`));
        const value = check(events);
        if (value) return settle(resolve, value);
        if (exit) settle(reject, new Error(`${label} ${describeExit()} before ${what}\n${details()}`));
      };
      timer = setTimeout(() => settle(reject, new Error(`${label}: ${what} not within ${ms} ms\n${details()}`)), ms);
      watchers.add(watch);
      watch();
    });
  }

  const messages = () => events.filter((e) => e.event === 'message').map((e) => e.text ?? Buffer.from(e.binary, 'base64'));
  let cursor = 0;

  return {
    command(command) { child.stdin.write(JSON.stringify(command) + '\n'); },
    offerTo(remote) { this.command({ cmd: 'offerTo', remote }); },
    send(text) { this.command({ cmd: 'send', text }); },
    /** Resolves once the signaling WebSocket is open. */
    opened(ms = 15000) { return until((evs) => evs.some((e) => e.event === 'open'), ms, 'its WebSocket opened'); },
    /** Resolves once the server has sent a frame of `type` (pair mode). */
    frame(type, ms = 15000) { return until((evs) => evs.some((e) => e.event === 'frame' && e.type === type), ms, `a "${type}" frame`); },
    /** Every data-channel message received so far, once there are at least `count`. */
    waitFor(count, ms = 15000) {
      return until(() => { const m = messages(); return m.length >= count && m; }, ms, `${count} data-channel message(s)`);
    },
    /** The next message not yet returned by nextMessage() (socket mode: the next WebSocket frame). */
    async nextMessage(ms = 5000) {
      const index = cursor++;
      return (await until(() => { const m = messages(); return m.length > index && m; }, ms, `message #${index + 1}`))[index];
    },
    /** Labels of the data channels it has, in the order it got them. */
    labels() { return events.filter((e) => e.event === 'channel').map((e) => e.label); },
    /**
     * Tells the peer that nothing more is wanted from it and waits for it to confirm and exit. An exit
     * before the confirmation fails; an abnormal exit after it is noted as a diagnostic of test `t`.
     */
    async end(ms = 10000) {
      child.stdin.end(JSON.stringify({ cmd: 'end' }) + '\n');
      await until((evs) => evs.some((e) => e.event === 'end'), ms, 'confirming the end of its observations');
      const timedOut = Symbol('timed out');
      const result = await Promise.race([exited, new Promise((r) => setTimeout(r, ms, timedOut).unref())]);
      if (result === timedOut) {
        child.kill('SIGKILL');
        t.diagnostic(`${label} reported all its observations but did not exit within ${ms} ms of its libdatachannel teardown; killed`);
      } else if (result.signal || result.code !== 0) {
        t.diagnostic(`${label} ${describeExit()} after reporting all its observations: libdatachannel's teardown, not a server fault`
          + (stderr ? `; stderr: ${stderr.trim().slice(-2000)}` : ''));
      }
    },
  };
}
