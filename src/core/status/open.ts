// Download on open (vscode-sftp's "downloadOnOpen"): what opening a file should do, from one stat of
// the server's copy, the local copy and the last-sync record. Only a server change the local copy has
// not diverged from is downloaded; a change on both sides is a conflict to offer, never overwritten.

import type { Entry, PathState } from '../types.js';
import { pathStatus } from './status.js';

export type OpenDecision =
  | 'none'       // nothing changed on the server (or it is not known here): open the local copy as it is
  | 'download'   // the server's copy changed, the local one did not: download it first
  | 'conflict'   // changed on both sides since the last sync: offer Compare, never overwrite
  | 'deleted';   // gone from the server since the last sync: say so, delete nothing

export function decideOnOpen(local: Entry | undefined, remote: Entry | undefined, state: PathState | undefined): OpenDecision {
  if (!local || local.type !== 'file' || !state) return 'none'; // never synced: nothing to compare with
  const status = pathStatus({ local, remote, state, hasState: true });
  if (status === 'conflict') return 'conflict';
  if (status !== 'server-changed') return 'none';
  return remote ? (remote.type === 'file' ? 'download' : 'conflict') : 'deleted';
}
