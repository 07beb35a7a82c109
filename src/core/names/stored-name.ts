// After a rename onto the real name: did the server store the file under exactly that name? A server
// that rewrites names (pure-ftpd: `note ` → `note_`) or keeps an old spelling on a case-insensitive
// disk would otherwise make us record (and later delete) a file that is not there.

import { SyncError } from '../errors.js';
import { baseName } from '../paths.js';

/** Names worth asking about: anything beyond printable ASCII, or any name on a case-insensitive side. */
export function needsNameCheck(path: string, caseInsensitive: boolean | undefined): boolean {
  return !!caseInsensitive || !/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(baseName(path));
}

/** The path an MLST reply names (the line after the facts), if any. */
export function mlstReplyPath(message: string): string | undefined {
  for (const line of message.split(/\r?\n/)) {
    if (!line.startsWith(' ') || !/type=/i.test(line)) continue;
    const sp = line.indexOf(' ', 1);
    return sp < 0 ? undefined : line.slice(sp + 1);
  }
  return undefined;
}

export function storedNameError(path: string, stored: string | undefined): SyncError {
  return new SyncError('bad-name', stored === undefined
    ? 'The server does not show the file under its exact name after writing it: it may have rewritten the name'
    : `The server stored the file as ${JSON.stringify(stored)}, not under its exact name`, {
    path, hint: 'Nothing was recorded. Rename the file to a name this server keeps as written',
  });
}

/** Throws unless `storedBase` (what the server shows) is exactly the last segment of `path`. */
export function checkStoredName(path: string, storedBase: string | undefined): void {
  if (storedBase !== baseName(path)) throw storedNameError(path, storedBase);
}
