// Helpers of the tests that drive the extension in the fake editor (extension-fake-vscode.ts):
// wait for something the extension does asynchronously, and write files with distinct mtimes.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { host } from './extension-fake-vscode.js';

/** poll `cond` every 10 ms; on time-out the error carries the extension's log and messages (the time-out
 * only bounds a hang: an upload's state writes take seconds on a machine busy writing back) */
export async function waitFor(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}\nlog:\n${host.log.join('\n')}\nmessages: ${JSON.stringify(host.messages, null, 1)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// one clock per test process, in the recent past (the engine compares size and mtime with the state)
let tick = Date.now() / 1000 - 1000;

/** write `file` (parent folders made) with an mtime 10 s later than the one this helper set last */
export function put(file: string, text: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  tick += 10;
  utimesSync(file, tick, tick);
}
