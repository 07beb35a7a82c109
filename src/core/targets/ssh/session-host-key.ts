// The host key check of one SSH connection, for its first key exchange and for every later one.
//
// A server re-keys a long connection (OpenSSH's RekeyLimit: by default after 1–4 GB, or as the admin
// sets it) and ssh2 asks the host verifier again each time. The first check is asynchronous: it reads
// known_hosts and may ask the user. A later one must not be: when ssh2 waits for an asynchronous
// answer and the server's NEWKEYS arrives first, it ends the key exchange on the receiving side only,
// so a packet it sends meanwhile (a window adjust for the data still coming in) leaves with the old
// keys before our NEWKEYS. OpenSSH takes that as a protocol error and drops the connection: about
// three downloads in four cut mid-file with "No response from server", every one with RekeyLimit 1M.
//
// So a re-key is answered at once, from what the first check accepted: the same key passes, any
// other key fails the connection (a host key that changes within a session is not a key rotation:
// OpenSSH refuses it too).

import { SyncError } from '../../errors.js';

export type HostVerifier = (key: Buffer, verify: (ok: boolean) => void) => boolean | undefined;

/**
 * `check`: the first exchange's check (known_hosts, prompts): resolves when the key is accepted, or
 * rejects with the reason. `onRefused` gets that reason, or the error of a key changed mid-session.
 */
export function sessionHostVerifier(check: (key: Buffer) => Promise<void>, onRefused: (e: unknown) => void): HostVerifier {
  let accepted: Buffer | undefined;
  let checking = false;
  return (key, verify) => {
    if (accepted) {
      if (key.equals(accepted)) return true;
      onRefused(new SyncError('hostkey', 'The server presented a different host key during the session; the connection was closed', {
        hint: 'A host key that changes within one connection is not a key rotation. Check the server before you connect again',
      }));
      return false;
    }
    if (checking) {
      // a second exchange before the first check answered: not one ssh2 starts; refused rather than guessed
      onRefused(new SyncError('hostkey', 'A second key exchange began before the host key was checked'));
      return false;
    }
    checking = true;
    const copy = Buffer.from(key); // ssh2 may reuse the memory of the packet it came in
    check(copy).then(() => { accepted = copy; checking = false; verify(true); }, (e: unknown) => {
      checking = false;
      onRefused(e);
      verify(false);
    });
    return undefined;
  };
}
