// The system user the test daemons log in as. Created on first use (needs root); tests that need it
// skip with the reason when it cannot be had.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, chownSync } from 'node:fs';

export const TEST_USER = 'rstest';
export const TEST_PASSWORD = 'rs-test-Pa55word';

export interface TestUser {
  name: string;
  password: string;
  uid: number;
  gid: number;
  home: string;
}

let cached: TestUser | undefined;

/** Ensure the test user exists with a known password; returns undefined (with `why`) when impossible. */
export function ensureTestUser(): TestUser | { skip: string } {
  if (cached) return cached;
  if (process.getuid?.() !== 0) return { skip: 'tests against real daemons need root (to create the test user)' };
  try {
    try {
      execFileSync('id', ['-u', TEST_USER], { stdio: 'pipe' });
    } catch {
      execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', TEST_USER], { stdio: 'pipe' });
    }
    execFileSync('chpasswd', { input: `${TEST_USER}:${TEST_PASSWORD}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    const uid = Number(execFileSync('id', ['-u', TEST_USER]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', TEST_USER]).toString().trim());
    const home = `/home/${TEST_USER}`;
    if (!existsSync(home)) { mkdirSync(home, { recursive: true }); chownSync(home, uid, gid); }
    cached = { name: TEST_USER, password: TEST_PASSWORD, uid, gid, home };
    return cached;
  } catch (e) {
    return { skip: `could not create the test user ${TEST_USER}: ${(e as Error).message}` };
  }
}
