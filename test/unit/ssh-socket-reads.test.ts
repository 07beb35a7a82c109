// Which of ssh2's deciphers may be handed views of the socket's one reused read buffer
// (targets/ssh/socket-reads.ts): only those that copy what they decrypt — checked against ssh2's own
// decipher objects (pure logic: no connection), in their OpenSSL form (the bundles) and the native
// add-on's (when it is built, as under tsx here). And the socket has Nagle's algorithm off from its
// connect on (a real loopback connection: with it on, the key exchange waited up to 40 ms).
//   node --import tsx --test test/unit/ssh-socket-reads.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { connectReusingReads, decipherCopiesInput } from '../../src/core/targets/ssh/socket-reads.js';

const require = createRequire(__filename);
interface Info { keyLen: number; ivLen: number }
const crypto = require('ssh2/lib/protocol/crypto.js') as {
  CIPHER_INFO: Record<string, Info>;
  MAC_INFO: Record<string, { len: number }>;
  bindingAvailable: boolean;
  NullDecipher: new (seqno: number, onPayload: () => void) => object;
  createDecipher(config: object): object;
};

function decipher(cipher: string, mac: string | undefined, forceNative: boolean): object {
  const info = crypto.CIPHER_INFO[cipher];
  const macInfo = mac ? crypto.MAC_INFO[mac] : undefined;
  return crypto.createDecipher({
    inbound: {
      onPayload: () => undefined, seqno: 0, forceNative,
      decipherInfo: info, decipherKey: Buffer.alloc(info.keyLen), decipherIV: Buffer.alloc(info.ivLen),
      ...(macInfo ? { macInfo, macKey: Buffer.alloc(macInfo.len) } : {}),
    },
  });
}

test('OpenSSL-based AES-GCM and AES-CTR/HMAC deciphers copy: views allowed', () => {
  assert.equal(decipherCopiesInput(decipher('aes128-gcm@openssh.com', undefined, true)), true);
  assert.equal(decipherCopiesInput(decipher('aes256-gcm@openssh.com', undefined, true)), true);
  assert.equal(decipherCopiesInput(decipher('aes128-ctr', 'hmac-sha2-256-etm@openssh.com', true)), true);
  assert.equal(decipherCopiesInput(decipher('aes256-ctr', 'hmac-sha2-512', true)), true);
});

test('the cleartext handshake, ChaCha20-Poly1305 and the native add-on\'s deciphers get copies', (t) => {
  assert.equal(decipherCopiesInput(new crypto.NullDecipher(0, () => undefined)), false);
  assert.equal(decipherCopiesInput(decipher('chacha20-poly1305@openssh.com', undefined, true)), false);
  assert.equal(decipherCopiesInput(undefined), false);
  if (!crypto.bindingAvailable) { t.diagnostic('ssh2\'s native add-on is not built: its deciphers not checked'); return; }
  assert.equal(decipherCopiesInput(decipher('aes128-gcm@openssh.com', undefined, false)), false);
  assert.equal(decipherCopiesInput(decipher('aes128-ctr', 'hmac-sha2-256-etm@openssh.com', false)), false);
  assert.equal(decipherCopiesInput(decipher('chacha20-poly1305@openssh.com', undefined, false)), false);
});

/** Node's own record of setNoDelay on a socket (net.js kSetNoDelay): Node has no public getter */
function noDelayOf(s: Socket): boolean {
  const sym = Object.getOwnPropertySymbols(s).find((x) => x.description === 'kSetNoDelay');
  assert.ok(sym, 'this Node has no kSetNoDelay on its sockets: find another way to read TCP_NODELAY');
  return (s as unknown as Record<symbol, boolean>)[sym];
}

test('the SSH socket has Nagle off from the connect on, before the key exchange', async () => {
  const server = createServer((s) => s.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const { socket } = connectReusingReads('127.0.0.1', port);
    assert.equal(noDelayOf(socket), true, 'set before connecting');
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    assert.equal(noDelayOf(socket), true, 'still set once connected');
    socket.destroy();
    // (the check can tell: a plain socket has it off)
    const plain = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => { plain.once('connect', resolve); plain.once('error', reject); });
    assert.equal(noDelayOf(plain), false);
    plain.destroy();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
