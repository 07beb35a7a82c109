// Naming SSH/SFTP failures: host:port, the login user, and low-level errors turned into SyncErrors
// with hints.
import { userInfo } from 'node:os';
import { SyncError } from '../../errors.js';
import type { RemoteSpec } from '../../types.js';

export function hostPort(spec: RemoteSpec): string {
  return `${spec.host ?? 'localhost'}:${spec.port ?? 22}`;
}

export function userOf(spec: RemoteSpec): string {
  if (spec.user) return spec.user;
  try { return userInfo().username; } catch { return process.env.USER ?? 'root'; }
}

/** errors ssh2 raises when the connection is gone (pending requests, writes to a closed channel) */
export function isConnectionLost(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 6 || code === 7 || /No response from server|Not connected|channel (is )?(closed|not open)|Connection lost|ECONNRESET|EPIPE/i.test(msg);
}

/**
 * Turn any failure into a SyncError. SFTP status codes: 2 no such file, 3 permission denied,
 * 4 failure, 8 unsupported.
 */
export function toSyncError(err: unknown, spec: RemoteSpec, what: string, path?: string): SyncError {
  if (err instanceof SyncError) return err;
  const e = err as { code?: unknown; level?: string; message?: string };
  const detail = e?.message ?? String(err);
  const hp = hostPort(spec);
  if (e?.code === 'ABORT_ERR' || (err as Error)?.name === 'AbortError') return new SyncError('aborted', 'Cancelled', { path });
  switch (e?.code) {
    case 2: return new SyncError('not-found', `${what}: no such file or folder`, { path, detail });
    case 3: return new SyncError('io', `${what}: permission denied`, {
      path, detail, hint: `Check that ${userOf(spec)} may do this on ${spec.host} (owner and mode of the file and its folder)`,
    });
    case 8: return new SyncError('io', `${what}: the server does not support this operation`, { path, detail });
    case 'ECONNREFUSED': return new SyncError('connect', `Could not connect to ${hp}`, { detail, hint: 'Is the server running and the port right?', cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return new SyncError('connect', `Could not resolve host ${spec.host}`, { detail, hint: 'Check the host name', cause: err });
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH': return new SyncError('connect', `Could not connect to ${hp}`, { detail, hint: 'Check the host name, the port and any firewall', cause: err });
  }
  if (e?.level === 'client-timeout') {
    return new SyncError('connect', `Timed out connecting to ${hp}`, { detail, hint: 'Is it an SSH server, and is the port right?', cause: err });
  }
  if (isConnectionLost(err) || e?.level === 'client-socket') {
    return new SyncError('connect', `Connection to ${hp} lost`, { path, detail, hint: 'The server closed the connection; try again', cause: err });
  }
  return new SyncError('io', `${what} failed`, { path, detail, cause: err });
}
