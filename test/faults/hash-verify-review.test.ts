// Review of "verify": "hash" against servers that answer hashing oddly: a HASH reply that covers a
// range and not the whole file, names another algorithm or another file, or a refusal, must never
// count as the file's hash (nor fail a good transfer: the file is read back instead, and the output
// says so); sha256sum output is taken only from the line for the file asked (a login banner before
// it, a line for another file); a hash that times out closes its exec channel; odd names in the
// sha256sum command line are quoted (no shell injection).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { execFileSync } from 'node:child_process';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import type { RemoteSpec } from '../../src/core/types.js';
import { ftpServerHash, sshServerHash, type FtpCommandClient, type SshExecClient } from '../../src/core/transfer/hash.js';
import { startCraftedFtp, type CraftedFtp, type CraftedFtpOptions } from './crafted-ftp.js';
import { hashTree, hashesOf, makeEnv, sessionFor, writeTree } from './env.js';

const sha = (b: Buffer | string, algo = 'sha256') => createHash(algo).update(b).digest('hex');
const servers: CraftedFtp[] = [];
after(async () => { for (const s of servers) await s.stop(); });

/** uploads one file with verify "hash" to a crafted server that answers HASH with `hashReply` (and OPTS HASH with `optsReply`) */
async function uploadWithHashReplies(hashReply: (arg: string, data: Buffer) => string, optsReply?: string) {
  const opts: CraftedFtpOptions = {
    feat: [' HASH SHA-256*;SHA-1;MD5'],
    other: (cmd, arg, file) => {
      if (cmd === 'OPTS' && /^HASH /i.test(arg)) return optsReply;
      if (cmd !== 'HASH') return undefined;
      const data = file(arg);
      return data ? hashReply(arg, data) : '550 No such file';
    },
  };
  const server = await startCraftedFtp(opts);
  servers.push(server);
  server.mkdir('/site');
  const base = mkdtempSync(join(tmpdir(), 'rs-hashrev-'));
  try {
    const local = join(base, 'local');
    mkdirSync(local);
    const content = randomBytes(5000);
    writeFileSync(join(local, 'a b.bin'), content);
    const spec: RemoteSpec = { protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site' };
    const s = new SyncSession({
      local: createTarget({ protocol: 'local', path: local }), remote: createTarget(spec, { concurrency: 2 }), localRoot: local, remoteId: remoteId(spec),
    });
    try {
      const r = await s.run({ mode: 'upload', transfer: { verify: 'hash', retries: 1, retrySleepMs: 1 } });
      return { r, content, stored: server.files('/site').get('a b.bin') };
    } finally {
      await s.close();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

const goodHash = (arg: string, data: Buffer) => `213 SHA-256 0-${data.length} ${sha(data)} ${arg}`;

test('ftp HASH: a well-formed reply (upper case, after a progress line) is the server\'s hash', async () => {
  const { r, content, stored } = await uploadWithHashReplies((arg, data) => `213-Computing\r\n213 SHA-256 0-${data.length} ${sha(data).toUpperCase()} ${arg}`);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.hashMethods, { local: ['read'], remote: ['FTP HASH'] });
  assert.equal(sha(stored!), sha(content));
});

for (const [name, reply, optsReply] of [
  ['a range that is not the whole file', (arg: string, data: Buffer) => `213 SHA-256 0-100 ${sha(data.subarray(0, 100))} ${arg}`],
  ['another algorithm with a digest of the same length', (arg: string, data: Buffer) => `213 SHA3-256 0-${data.length} ${sha(data, 'sha3-256')} ${arg}`],
  ['a refusal (550)', () => '550 Permission denied'],
  ['a refused selection (OPTS HASH 501: the server stays on its default, MD5)', (arg: string, data: Buffer) => `213 MD5 0-${data.length} ${sha(data, 'md5')} ${arg}`, '501 Unknown algorithm'],
] as const) {
  test(`ftp HASH: ${name} is not the file's hash: the file is read back, the good upload kept`, async () => {
    const { r, content, stored } = await uploadWithHashReplies(reply, optsReply);
    assert.deepEqual(r.errors.map((e) => e.message), []);
    assert.equal(r.stats.uploaded, 1);
    assert.deepEqual(r.hashMethods, { local: ['read'], remote: ['read back'] });
    assert.equal(sha(stored!), sha(content));
  });
}

/** a fake control connection: answers from `replies` (command prefix → reply), records what it was sent */
function fakeFtp(replies: Record<string, string>): FtpCommandClient & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async send(command: string, ignoreErrorCodes?: boolean) {
      sent.push(command);
      const key = Object.keys(replies).find((k) => command.startsWith(k));
      const message = key ? replies[key] : '502 Not implemented';
      const code = Number(message.slice(0, 3));
      if (code >= 400 && !ignoreErrorCodes) throw Object.assign(new Error(message), { code });
      return { code, message };
    },
  };
}

test('ftp HASH: a reply naming another file, or a range short of the file\'s SIZE, is not taken', async () => {
  const features = new Map([['HASH', 'SHA-256*'], ['SIZE', '']]);
  const good = sha('the good content');
  // the server hashed another file (one with the good content) than the temp asked for
  const other = fakeFtp({ 'OPTS HASH': '200 OK', HASH: `213 SHA-256 0-16 ${good} /site/other.bin`, SIZE: '213 16' });
  assert.equal(await ftpServerHash(other, features, '/site/.rs-tmp-1', ['sha256']), undefined);
  // only the first 16 bytes of a 5000-byte file
  const short = fakeFtp({ 'OPTS HASH': '200 OK', HASH: `213 SHA-256 0-16 ${good} /site/.rs-tmp-1`, SIZE: '213 5000' });
  assert.equal(await ftpServerHash(short, features, '/site/.rs-tmp-1', ['sha256']), undefined);
  // the whole file, named as asked (or by a relative tail of it): taken
  for (const named of ['/site/.rs-tmp-1', '.rs-tmp-1']) {
    const ok = fakeFtp({ 'OPTS HASH': '200 OK', HASH: `213 SHA-256 0-5000 ${good} ${named}`, SIZE: '213 5000' });
    assert.deepEqual(await ftpServerHash(ok, features, '/site/.rs-tmp-1', ['sha256']), { algo: 'sha256', hex: good, method: 'FTP HASH' });
  }
  // XSHA256: the digest is the reply's first word, not any word that looks like one
  const x = fakeFtp({ XSHA256: `250 /site/${good} ${sha('bad')}` });
  assert.equal(await ftpServerHash(x, new Map([['XSHA256', '']]), `/site/${good}`, ['sha256']), undefined);
});

// ---- SFTP: sha256sum over an exec channel ---------------------------------------------------------

/** a fake SSH client whose exec prints `out` and exits with `code` (undefined: never ends) */
function fakeSsh(out: string, code: number | undefined) {
  const state = { closed: false, commands: [] as string[] };
  const client: SshExecClient = {
    exec(command, cb) {
      state.commands.push(command);
      const ch = Object.assign(new EventEmitter(), { stderr: new EventEmitter(), close: () => { state.closed = true; } });
      setImmediate(() => {
        cb(undefined, ch as never);
        ch.emit('data', Buffer.from(out));
        if (code !== undefined) ch.emit('close', code);
      });
      return true;
    },
  };
  return { client, state };
}

test('sha256sum: a banner printed by the login shell before the output is skipped, not the end of server hashing', async () => {
  const hex = sha('x');
  const { client } = fakeSsh(`Welcome to the server!\nLast login: today\n${hex}  /srv/a b.txt\n`, 0);
  assert.deepEqual(await sshServerHash(client, '/srv/a b.txt', ['sha256'], 5000), { algo: 'sha256', hex, method: 'sha256sum over SSH' });
});

test('sha256sum: a line for another file is not the file\'s hash', async () => {
  const { client } = fakeSsh(`${sha('good')}  /srv/other.txt\n`, 0);
  assert.equal(await sshServerHash(client, '/srv/.rs-tmp-1', ['sha256'], 5000), undefined);
  // a name with a backslash: GNU sha256sum escapes it ("\\" + digest, the name's "\" doubled)
  const { client: esc } = fakeSsh(`\\${sha('good')}  /srv/a\\\\b\n`, 0);
  assert.equal((await sshServerHash(esc, '/srv/a\\b', ['sha256'], 5000))?.hex, sha('good'));
});

test('sha256sum: a hash that times out closes its exec channel (and the file is read back)', async () => {
  const { client, state } = fakeSsh('', undefined);
  assert.equal(await sshServerHash(client, '/srv/big.bin', ['sha256'], 50), undefined);
  assert.equal(state.closed, true, 'the exec channel was left open (a session of the connection held)');
});

test('sftp (OpenSSH): odd names are hashed by sha256sum over SSH, quoted (no injection), each its own line', async (t) => {
  const env = await makeEnv('sftp', 'hash-names');
  if ('skip' in env) { t.skip(env.skip); return; }
  try {
    // a command run by the account's shell starts in its home folder
    const home = execFileSync('getent', ['passwd', String(env.owner.uid)], { encoding: 'utf8' }).split(':')[5];
    const tag = `INJECTED-${randomBytes(4).toString('hex')}`;
    const marker = join(home, tag);
    const names = [
      '-n leading dash.txt', `it's $(touch ${tag}) \`touch ${tag}\`.txt`, `$(touch ${tag})/in a folder.txt`, `x;touch ${tag};.txt`, `"q" & touch ${tag} |.txt`,
    ];
    const files = Object.fromEntries(names.map((n) => [n, randomBytes(3000)]));
    writeTree(env.local, files);
    const s = sessionFor(env);
    try {
      const r = await s.run({ mode: 'upload', transfer: { verify: 'hash' } });
      assert.deepEqual(r.errors.map((e) => e.message), []);
      assert.deepEqual(r.hashMethods, { local: ['read'], remote: ['sha256sum over SSH'] });
    } finally {
      await s.close();
    }
    assert.equal(existsSync(marker), false, 'a command in a name ran on the server');
    assert.deepEqual(hashTree(env.remoteFs, false), hashesOf(files));
  } finally {
    await env.cleanup();
  }
});
