// The SSH connection's TCP socket reads into one reused buffer (net's `onread`) instead of a new Buffer
// per read: a 512 MiB download read 8,000 buffers of 64 KiB for V8 to collect, and each collection of
// such short-lived memory could start a full one. ssh2 parses what it is given right away; a chunk
// is handed over as a view of the shared buffer only when nothing can keep a reference to it:
// after login, and while the decipher in use copies what it decrypts into new memory (ssh2's
// OpenSSL-based AES-GCM and AES-CTR/HMAC ones). The handshake's cleartext packets, ChaCha20 (which
// keeps a whole packet until its MAC arrives) and ssh2's native add-on (which decrypts in place) get
// a copy of every chunk, as before.
import { connect as netConnect, type Socket } from 'node:net';

/** one read's room (loopback delivers up to this much at once) */
export const SOCKET_READ_BUFFER = 256 * 1024;

export interface ReusedReads {
  socket: Socket;
  /** login done on `client` (an ssh2 Client using this socket): views may be handed over when its decipher allows */
  trust(client: object): void;
}

/**
 * Does this ssh2 decipher copy what it decrypts into new memory, keeping no view of its input once
 * decrypt() returns? (ssh2 1.x internals.) AESGCMDecipherNative and GenericDecipherNative do, and
 * hold a node:crypto Decipher in `_decipherInstance` (null between GCM packets); NullDecipher,
 * ChaChaPolyDecipherNative and the add-on's deciphers do not have it.
 */
export function decipherCopiesInput(decipher: unknown): boolean {
  return !!decipher && typeof decipher === 'object' && '_decipherInstance' in decipher;
}

/** the decipher ssh2's client uses now */
function decipherCopies(client: object): boolean {
  return decipherCopiesInput((client as { _protocol?: { _decipher?: unknown } })._protocol?._decipher);
}

export function connectReusingReads(host: string, port: number): ReusedReads {
  let trusted: object | undefined;
  /** chunks read while no one listened for 'data' (not expected: ssh2 listens before it resumes the socket) */
  const pending: Buffer[] = [];
  const buffer = Buffer.allocUnsafe(SOCKET_READ_BUFFER);
  const socket = netConnect({
    host, port,
    noDelay: true, // from the first byte: see connectSocket in sftp-connect.ts
    onread: {
      buffer,
      callback: (n: number): boolean => {
        const view = buffer.subarray(0, n);
        if (socket.listenerCount('data') === 0) { pending.push(Buffer.from(view)); return false; }
        socket.emit('data', trusted && decipherCopies(trusted) ? view : Buffer.from(view));
        return true;
      },
    },
  });
  socket.on('newListener', (event) => {
    if (event === 'data' && pending.length) process.nextTick(() => { for (const b of pending.splice(0)) socket.emit('data', b); });
  });
  return { socket, trust: (client) => { trusted = client; } };
}
