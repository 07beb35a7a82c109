// The scenario suites against a real OpenSSH sshd on loopback.
import { after } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fixtureScenarios } from './scenarios-fixture.js';
import { edgeScenarios } from './scenarios-edge.js';
import { saveScenarios } from './scenarios-save.js';
import { mergeScenarios } from './scenarios-merge.js';
import { explorerScenarios } from './scenarios-explorer.js';
import { skipOrFail, type EnvFactory } from '../harness/env.js';
import { startSshd, type SshdServer } from '../harness/sshd.js';

let server: Promise<SshdServer | { skip: string }> | undefined;
after(async () => { const s = await server; if (s && !('skip' in s)) await s.stop(); });

const make: EnvFactory = async (label) => {
  server ??= startSshd();
  const s = await server;
  if ('skip' in s) return skipOrFail(s.skip);
  const root = mkdtempSync(join(tmpdir(), `rs-sftp-${label}-`));
  const local = join(root, 'local');
  mkdirSync(local);
  const remoteFs = s.makeRemoteDir(`${label}-${randomBytes(3).toString('hex')}`);
  return {
    name: 'sftp',
    local,
    remoteFs,
    owner: { uid: s.uid, gid: s.gid },
    spec: { protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: remoteFs, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false },
    cleanup: () => { rmSync(root, { recursive: true, force: true }); rmSync(remoteFs, { recursive: true, force: true }); },
  };
};

fixtureScenarios(make);
edgeScenarios(make);
saveScenarios(make);
mergeScenarios(make);
explorerScenarios(make);
