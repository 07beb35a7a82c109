// Requests on an SFTP channel the server has ended fail, never wait. When the server's subsystem exits
// (sftp-server killed or crashed) the server sends CHANNEL_EOF, then CHANNEL_CLOSE. ssh2 fails the
// requests pending at the EOF (cleanupRequests, from SFTP#push(null), which also emits 'end') but not
// the ones made after it: at the CLOSE its channel is no longer readable, so cleanupRequests does not
// run again, and the channel's outgoing state stays 'open' (ssh2 neither answers an SFTP channel's
// CLOSE nor changes that state), so every later request is sent and waits for an answer that never
// comes — its callback never called. (The same after a dropped connection: ssh2 ends the channel
// the same way.)
//
// Here, once the channel has ended, its request table (SFTP#_requests, where ssh2 puts a request's
// callback before sending it) is swapped for one that fails what is put in it on the next tick, with
// ssh2's own "No response from server" (a lost connection for isConnectionLost: the target's retry
// reconnects). Each request is taken out of the table before its callback is called: called once.
// Requests made from the callbacks ssh2 fails at the EOF (before 'end') are failed the same way. The
// coalescer (sftp-coalesce.ts) sends nothing on an ended channel, and channelOpen() (sftp-stream.ts)
// says it is no longer open.
//
// It relies on ssh2 1.x internals (SFTP#_requests, 'end' emitted once at push(null)); checked when
// installed: with anything else ssh2 is left alone.

type Cb = (err: Error) => void;
interface SftpInternals {
  _requests: Record<number, { cb?: Cb } | undefined>;
  once(event: 'end', listener: () => void): unknown;
}

const INSTALLED = Symbol('remote-sync.failAfterEnd');

export function endedError(): Error {
  return new Error('No response from server (the server ended the SFTP session)');
}

/** Fail at once (on the next tick) every request made on `sftp` (an ssh2 SFTP channel) after it ended. */
export function failAfterEnd(sftp: object): boolean {
  const s = sftp as SftpInternals & { [INSTALLED]?: true };
  if (s[INSTALLED]) return true;
  if (typeof s.once !== 'function' || typeof s._requests !== 'object' || s._requests === null) return false;
  s.once('end', () => {
    const held: Record<string, { cb?: Cb } | undefined> = {};
    let scheduled = false;
    const failAll = () => {
      scheduled = false;
      for (const k of Object.keys(held)) {
        const req = held[k];
        delete held[k];
        if (typeof req?.cb === 'function') req.cb(endedError());
      }
    };
    const schedule = () => {
      if (!scheduled) { scheduled = true; process.nextTick(failAll); }
    };
    // (made from the callbacks ssh2 failed at the EOF, before 'end')
    const before = s._requests;
    for (const k of Object.keys(before)) { held[k] = before[Number(k)]; schedule(); }
    s._requests = new Proxy(held, {
      set(target, key, value) {
        (target as Record<string | symbol, unknown>)[key] = value;
        schedule();
        return true;
      },
    }) as SftpInternals['_requests'];
  });
  s[INSTALLED] = true;
  return true;
}
