// Writing test files with distinct modification times: file systems with coarse clocks give two
// quick writes the same mtime, which would hide a change from the last-sync-state classifier.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// One clock per test process (node --test runs every file in a process of its own).
let clock = Date.UTC(2024, 0, 1, 12) / 1000;

/** write `dir/path` (parent folders made), its mtime 10 s later than the one this helper set last */
export function putFile(dir: string, path: string, content: string): void {
  const p = join(dir, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  clock += 10;
  utimesSync(p, clock, clock);
}
