// File modes of written files and created folders, the same rules for every target:
//
// - a temporary file is created 0600 (nobody else can read a half-written copy of a private file);
// - a replaced file keeps the mode it had (as `cp` onto an existing file, and OpenSSH's sftp);
// - a new file gets the source's mode masked by the umask (OpenSSH `sftp get`/`put`), or, on the
//   server, the configured `permissions.file`;
// - `preserveMode`: the executable bits follow the source (only where the result is readable);
// - never wider than that: setuid/setgid/sticky bits are never carried, a missing source mode falls
//   back to 0666 masked by the umask, the mode the target would have given anyway.
import { readFileSync } from 'node:fs';

/** mode of temporary files while they are written */
export const TEMP_FILE_MODE = 0o600;

export interface ModePolicy {
  /** new files on this side get exactly this mode (config `permissions.file`) */
  file?: number;
  /** new folders on this side get exactly this mode (config `permissions.dir`) */
  dir?: number;
  /** the executable bits of a written file follow the source's (config `preserveMode`) */
  preserveMode?: boolean;
  /** default: this process's umask */
  umask?: number;
}

let cachedUmask: number | undefined;

/** this process's umask, read without changing it (Linux: /proc/self/status; else process.umask()) */
export function currentUmask(): number {
  if (cachedUmask !== undefined) return cachedUmask;
  try {
    const m = /^Umask:\s*([0-7]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return (cachedUmask = parseInt(m[1], 8) & 0o777);
  } catch { /* not Linux */ }
  try {
    return (cachedUmask = process.umask() & 0o777);
  } catch {
    return (cachedUmask = 0o022); // worker threads cannot read it
  }
}

/** x bits of `mode` set where `source` has them and `mode` is readable; cleared where `source` lacks them */
function withExecBitsOf(mode: number, source: number): number {
  const readable = (mode & 0o444) >> 2;
  return (mode & ~0o111) | (source & 0o111 & readable);
}

/**
 * The mode a written file ends with.
 * `previous`: the mode of the file being replaced (undefined: a new file);
 * `source`: the mode the other side reports for it (undefined: it does not say).
 */
export function modeForFile(previous: number | undefined, source: number | undefined, policy: ModePolicy = {}): number {
  const umask = policy.umask ?? currentUmask();
  let mode: number;
  if (previous !== undefined) mode = previous & 0o777;
  else if (policy.file !== undefined) mode = policy.file & 0o777;
  else return (source !== undefined ? source & 0o777 : 0o666) & ~umask;
  return policy.preserveMode && source !== undefined ? withExecBitsOf(mode, source) : mode;
}

/** "644" or "0755" (octal digits, as chmod takes them) → the mode; undefined for anything else */
export function parseOctalMode(text: string): number | undefined {
  if (!/^0?[0-7]{3}$/.test(text.trim())) return undefined;
  return parseInt(text.trim(), 8);
}

/** 0o644 → "644" (for SITE CHMOD and messages) */
export function formatMode(mode: number): string {
  return (mode & 0o777).toString(8).padStart(3, '0');
}
