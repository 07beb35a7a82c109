// The scenario suites against a real FTP daemon (pure-ftpd) on loopback: plain FTP, and explicit FTPS.
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
import { startFtpd, type FtpdServer, type FtpdTls } from '../harness/ftpd.js';
import { ensureTestUser } from '../harness/users.js';

const servers = new Map<FtpdTls, Promise<FtpdServer | { skip: string }>>();
after(async () => { for (const p of servers.values()) { const s = await p; if (!('skip' in s)) await s.stop(); } });

function factory(tls: FtpdTls): EnvFactory {
  return async (label) => {
    if (!servers.has(tls)) servers.set(tls, startFtpd({ tls }));
    const s = await servers.get(tls)!;
    if ('skip' in s) return skipOrFail(s.skip);
    const user = ensureTestUser();
    if ('skip' in user) return skipOrFail(user.skip);
    const root = mkdtempSync(join(tmpdir(), `rs-ftp-${label}-`));
    const local = join(root, 'local');
    mkdirSync(local);
    const dir = s.makeRemoteDir(`${label}-${randomBytes(3).toString('hex')}`);
    return {
      name: 'ftp',
      local,
      remoteFs: dir.absolute,
      owner: { uid: user.uid, gid: user.gid },
      spec: {
        protocol: tls === 'none' ? 'ftp' : 'ftps', host: s.host, port: s.port, user: s.user, password: s.password,
        path: dir.ftpPath, allowUnauthorizedTls: true, tlsFingerprint: s.certFingerprint, ftpsImplicit: tls === 'implicit',
      },
      cleanup: () => { rmSync(root, { recursive: true, force: true }); rmSync(dir.absolute, { recursive: true, force: true }); },
    };
  };
}

fixtureScenarios(factory('none'));
edgeScenarios(factory('none'));
saveScenarios(factory('none'));
mergeScenarios(factory('none'));
explorerScenarios(factory('none'));
fixtureScenarios(factory('explicit'));
fixtureScenarios(factory('implicit'));
