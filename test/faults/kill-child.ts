// A sync in a child process that reports each step on stdout, for the test that kills it with
// SIGKILL at chosen moments:  node --import tsx test/faults/kill-child.ts '{"local": "/path", "spec": {...}}'
// Lines: "ready", "plan <actions>", "start <kind> <path>", "done <kind> <path>", "bytes <kind> <path> <n>", "finished <errors>".
import { writeSync } from 'node:fs';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import type { RemoteSpec } from '../../src/core/types.js';

const { local, spec } = JSON.parse(process.argv[2]) as { local: string; spec: RemoteSpec };
const say = (line: string) => writeSync(1, line + '\n'); // synchronous: the parent sees it before the next step
const s = new SyncSession({
  local: createTarget({ protocol: 'local', path: local }),
  remote: createTarget(spec, { concurrency: 2 }),
  localRoot: local,
  remoteId: remoteId(spec),
});
say('ready');
s.run({
  mode: 'sync',
  concurrency: 2,
  onProgress: (e) => {
    if (e.type === 'plan') say(`plan ${e.plan.actions.length}`);
    else if (e.type === 'action-start') say(`start ${e.action.kind} ${e.action.path}`);
    else if (e.type === 'action-done') say(`done ${e.action.kind} ${e.action.path}`);
    else if (e.type === 'bytes') say(`bytes ${e.path} ${e.bytes}`);
  },
}).then(async (r) => {
  await s.close();
  say(`finished ${r.errors.length}`);
}, (e) => {
  process.stderr.write(String(e) + '\n');
  process.exit(1);
});
