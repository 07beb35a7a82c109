// The SFTP pipeline's request sizes (core/targets/sftp-stream.ts): how many requests are kept in
// flight for a request size — the 2 MiB budget of the SSH channel window, within 8…64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IN_FLIGHT_BUDGET, depthFor } from '../../src/core/targets/sftp-stream.js';

test('large requests: the window budget in flight (OpenSSH: 255 KiB reads × 9, 128 KiB writes × 16)', () => {
  assert.equal(IN_FLIGHT_BUDGET, 2 * 1024 * 1024);
  assert.equal(depthFor(128 * 1024), 16);
  assert.equal(depthFor(261120), 9);
  assert.ok(depthFor(261120) * 261120 >= IN_FLIGHT_BUDGET);
});

test('small requests (a server that allows ~32 KiB) keep 64 in flight as before; huge ones at least 8', () => {
  assert.equal(depthFor(32 * 1024), 64);
  assert.equal(depthFor(33_000), 64);
  assert.equal(depthFor(1024 * 1024), 8);
});
