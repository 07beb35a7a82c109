// A sync in a child process, for tests that kill it (SIGKILL mid-transfer).
//   node --import tsx test/harness/sync-child.ts '{"local": "/path", "spec": {...}}'
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import type { RemoteSpec } from '../../src/core/types.js';

const { local, spec } = JSON.parse(process.argv[2]) as { local: string; spec: RemoteSpec };
const s = new SyncSession({
  local: createTarget({ protocol: 'local', path: local }),
  remote: createTarget(spec, { concurrency: 4 }),
  localRoot: local,
  remoteId: remoteId(spec),
});
s.run({ mode: 'sync' }).then(async (r) => {
  await s.close();
  process.stdout.write(JSON.stringify(r.stats) + '\n');
}, (e) => {
  process.stderr.write(String(e) + '\n');
  process.exit(1);
});
