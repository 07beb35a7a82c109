// Unison with its server agent, the two-way anchor of issue 12: `unison LOCAL ssh://user@host//PATH`
// over the harness's sshd (the test user runs /usr/bin/unison on the server side: the same binary,
// so the same version), key login and the harness's known_hosts as for sftp. Both archives live in
// private folders (UNISON=… on each side), so they persist between the runs of one bench and never
// touch a real ~/.unison.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCmd, type CmdResult } from './util.js';
import { sshd, work } from './context.js';
import { cmdError } from './tools.js';

export const UNISON_BIN = '/usr/bin/unison';

export interface UnisonPair {
  local: string;
  /** absolute path on the server */
  remote: string;
  /** archive folders: client side (this machine, as root) and server side (owned by the test user) */
  localArchive: string;
  remoteArchive: string;
}

export function unisonPair(local: string, remote: string): UnisonPair {
  const localArchive = join(work, `unison-${Date.now()}`);
  mkdirSync(localArchive, { recursive: true });
  const remoteArchive = sshd!.makeRemoteDir('bench-unison-archive');
  return { local, remote, localArchive, remoteArchive };
}

/** one `unison -batch` run of the pair; fails unless unison exits 0 (everything in sync afterwards) */
export async function unison(p: UnisonPair, timeoutMs = 600_000): Promise<CmdResult> {
  const s = sshd!;
  const sshArgs = [`-p ${s.port}`, `-i ${s.keyFile}`, '-o IdentitiesOnly=yes', '-o IdentityAgent=none', `-o UserKnownHostsFile=${s.knownHostsFile}`,
    '-o GlobalKnownHostsFile=/dev/null', '-o StrictHostKeyChecking=yes', '-o BatchMode=yes', '-o PasswordAuthentication=no'].join(' ');
  const args = [p.local, `ssh://${s.user}@${s.host}/${p.remote}`, '-batch', '-ui', 'text', '-sshargs', sshArgs,
    '-servercmd', `UNISON=${p.remoteArchive} ${UNISON_BIN}`, '-ignore', 'Name .remote-sync', '-ignore', 'Name .rs-tmp*'];
  const env: NodeJS.ProcessEnv = { ...process.env, UNISON: p.localArchive };
  delete env.SSH_AUTH_SOCK;
  const r = await runCmd(UNISON_BIN, args, { env, tmpDir: work, timeoutMs });
  if (!r.ok) throw cmdError(r, 'unison');
  return r;
}

/** unison's report of a run that found nothing to do */
export const unisonNothingToDo = (r: CmdResult) => /Nothing to do/i.test(r.output);
