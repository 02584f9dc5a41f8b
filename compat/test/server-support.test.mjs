// The helper that starts Signalman for the compat tests reads the server's output line by line:
// a long output, or a long line, must cost time in proportion to its length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineSplitter, listenerLine } from './support/server.mjs';

test('lines are reassembled across chunks, whatever the chunk boundaries', () => {
  const text = 'first line\nsecond\n\nworkspaces listener on http://127.0.0.1:9090\npartial';
  for (const size of [1, 2, 3, 7, text.length]) {
    const lines = [];
    const feed = lineSplitter((line) => lines.push(line));
    for (let i = 0; i < text.length; i += size) feed(text.slice(i, i + size));
    assert.deepEqual(lines, ['first line', 'second', '', 'workspaces listener on http://127.0.0.1:9090'], `chunks of ${size}`);
  }
});

test('listener lines give their name and port; nothing else does', () => {
  assert.deepEqual(listenerLine('2026-01-01T00:00:00Z INFO  [main] SignalmanServer - workspaces listener on http://127.0.0.1:41234'),
    { name: 'workspaces', port: 41234 });
  assert.deepEqual(listenerLine('x main listener on https://localhost:8443'), { name: 'main', port: 8443 });
  assert.equal(listenerLine('Signalman is ready'), null);
});

test('a long output of long lines is read in linear time', { timeout: 20000 }, () => {
  // 8 MB without a single space or newline, then the line that matters: a regular expression
  // rescanning all output per chunk (with backtracking over the word) would take hours.
  const started = Date.now();
  const found = [];
  const feed = lineSplitter((line) => { const l = listenerLine(line); if (l) found.push(l); });
  const chunk = 'x'.repeat(64 * 1024);
  for (let i = 0; i < 128; i++) feed(chunk);
  feed('\nstar listener on http://127.0.0.1:9090\n');
  for (let i = 0; i < 128; i++) feed(`${chunk}\n`);
  assert.deepEqual(found, [{ name: 'star', port: 9090 }]);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});
