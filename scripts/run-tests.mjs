// Runs the test files with Node's own test runner (TypeScript through tsx).
//   node scripts/run-tests.mjs [unit|integration|faults|e2e ...]   (default: all suites)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const suites = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const wanted = suites.length ? suites : ['unit', 'integration', 'faults', 'e2e'];

function find(dir) {
  let out = [];
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names.sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (n.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = wanted.flatMap((s) => find(join('test', s)));
if (!files.length) {
  console.error(`no test files found for: ${wanted.join(', ')}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1',
  '--test-reporter=tap', '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/test-failures-reporter.mjs', '--test-reporter-destination=stdout', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
