// A second unix user for the security tests: files and folders it owns stand for what another user
// of a shared machine can plant (issue "Security"). Created on first use (needs root), idempotently:
// several test processes may race to create it, which is fine (the loser finds it there).
import { execFileSync } from 'node:child_process';
import { skipOrFail } from './env.js';

export const ATTACKER = 'rs-attacker';

export interface Attacker { name: string; uid: number; gid: number }

let cached: Attacker | undefined;

function lookup(): Attacker | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', ATTACKER], { stdio: 'pipe' }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', ATTACKER], { stdio: 'pipe' }).toString().trim());
    return { name: ATTACKER, uid, gid };
  } catch {
    return undefined;
  }
}

/** The second user (created without a home or a password: it never logs in), or a skip (never under CI). */
export function ensureAttacker(): Attacker | { skip: string } {
  if (cached) return cached;
  if (process.getuid?.() !== 0) return skipOrFail('the attack tests need root (to create the second user rs-attacker)');
  let found = lookup();
  let why = '';
  // another process may be creating it at the same moment (useradd then fails on its lock, or with
  // exit 9 "already exists"): look again, a few times
  for (let attempt = 0; !found && attempt < 10; attempt++) {
    try {
      execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', ATTACKER], { stdio: 'pipe' });
    } catch (e) {
      why = `${(e as Error).message}`.trim();
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
    found = lookup();
  }
  if (!found) return skipOrFail(`could not create the second user ${ATTACKER}: ${why}`);
  cached = found;
  return found;
}
