// One "run" of the code cache loader in a process of its own (V8 keeps what it compiled for the life
// of a process, so whether a cache file is used can only be seen in a fresh one):
//   node --import tsx load-child.ts MAIN CACHE_DIR|-   prints {"status": {...}, "written": [...], "work": n, "tag": "..."}
import { createLoader } from '../../../src/cli/code-cache/loader.js';

const [main, cacheDir] = process.argv.slice(2);
const loader = createLoader({ cacheDir: cacheDir === '-' ? undefined : cacheDir, uid: process.getuid!(), version: '9.9.9', siblings: ['extra.js'] });
const m = loader.load(main) as { tag: string; work(n: number): number; extra(): unknown };
const work = m.work(1000);
m.extra();
const written = loader.save();
process.stdout.write(JSON.stringify({ status: Object.fromEntries(loader.status), written, work, tag: m.tag }));
