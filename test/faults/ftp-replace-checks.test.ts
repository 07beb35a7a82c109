// The checks an FTP upload makes before its rename, against servers that answer them in unusual ways
// (crafted-ftp.ts), on both paths of the replace (pipelined, one command at a time):
// - a link or special file at the final name (MLST "type=OS.unix=slink:…"): it was read as "nothing
//   there", so the re-check before overwrite passed and the rename replaced it; it is an error now;
// - a temp the server does not list (MLST 550: servers that hide dot names): its size check was
//   skipped, so a short temp (the server stored less than it was sent, and said 226) replaced the file
//   on the server; its size is now asked with SIZE, and when nothing tells, the temp is not renamed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { startCraftedFtp, type CraftedFtpOptions } from './crafted-ftp.js';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import type { Entry } from '../../src/core/types.js';

const stops: Array<() => Promise<void>> = [];
after(async () => { for (const s of stops) await s(); });

const OLD = 'OLD content on the server';
const NEW = Buffer.from('NEW content from the local side!');
const isTemp = (p: string) => p.includes('/.rs-tmp-');

/** a crafted server holding /site/f.txt (OLD), and a target on it; `pipelined` false: one command at a time */
async function setup(opts: CraftedFtpOptions, pipelined: boolean) {
  const server = await startCraftedFtp(opts);
  stops.push(() => server.stop());
  server.mkdir('/site');
  server.put('/site/f.txt', OLD, Date.UTC(2020, 0, 1));
  const t = new FtpTarget({ protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site', timeoutSeconds: 5 }, { concurrency: 2 });
  await t.open();
  if (!pipelined) (t as unknown as { pipelining: boolean }).pipelining = false;
  stops.push(() => t.close());
  return { server, t };
}

const upload = (t: FtpTarget, path: string, o: { expect?: Entry; newOnly?: boolean }) =>
  t.write(path, Readable.from([NEW]), { size: NEW.length, mtime: Date.UTC(2024, 0, 1), ...o });

for (const pipelined of [true, false]) {
  const way = pipelined ? 'pipelined replace' : 'one command at a time';

  test(`${way}: a link swapped in for the file since it was listed is not replaced`, async () => {
    const links = new Set<string>();
    const { server, t } = await setup({ typeOf: (p) => (links.has(p) ? 'OS.unix=slink:/etc/passwd' : undefined) }, pipelined);
    const old = await t.stat('f.txt');
    assert.ok(old, 'listed as a file first');
    links.add('/site/f.txt'); // now the server names it a link
    await assert.rejects(upload(t, 'f.txt', { expect: old }), /\/site\/f\.txt on the server is neither a file nor a folder \(type=OS\.unix=slink:\/etc\/passwd\); it is not replaced/);
    assert.deepEqual([...server.files('/site').keys()], ['f.txt'], 'no temp left');
    assert.equal(server.files('/site').get('f.txt')!.toString(), OLD, 'not replaced');
  });

  test(`${way}: a new file is not renamed onto a link the listing left out`, async () => {
    const { server, t } = await setup({ typeOf: (p) => (p === '/site/g.txt' ? 'OS.unix=slink:/etc' : undefined) }, pipelined);
    server.put('/site/g.txt', 'the link', Date.UTC(2020, 0, 1));
    await assert.rejects(upload(t, 'g.txt', { newOnly: true }), /neither a file nor a folder|appeared on the server/);
    assert.equal(server.files('/site').get('g.txt')!.toString(), 'the link', 'not replaced');
    assert.deepEqual([...server.files('/site').keys()].sort(), ['f.txt', 'g.txt'], 'no temp left');
  });

  test(`${way}: a temp the server hides from MLST and stored short is not renamed over the file`, async () => {
    const { server, t } = await setup({ hidden: (p, cmd) => cmd === 'MLST' && isTemp(p), storeShort: 5 }, pipelined);
    const old = await t.stat('f.txt');
    await assert.rejects(upload(t, 'f.txt', { expect: old }), (e: Error) => e.name === 'SizeMismatchError' && /f\.txt/.test(e.message), 'the short temp is caught by its SIZE');
    assert.deepEqual([...server.files('/site').keys()], ['f.txt'], 'no temp left');
    assert.equal(server.files('/site').get('f.txt')!.toString(), OLD, 'the file on the server is the old one');
  });

  test(`${way}: a temp hidden from MLST but whole is checked with SIZE and renamed`, async () => {
    const { server, t } = await setup({ hidden: (p, cmd) => cmd === 'MLST' && isTemp(p) }, pipelined);
    const old = await t.stat('f.txt');
    const entry = await upload(t, 'f.txt', { expect: old });
    assert.equal(entry.size, NEW.length);
    assert.ok((server.commands.get('SIZE') ?? 0) >= 1, 'the size was asked with SIZE');
    assert.equal(server.files('/site').get('f.txt')!.toString(), NEW.toString());
  });

  test(`${way}: a temp hidden from MLST and SIZE is not renamed (its size cannot be checked)`, async () => {
    const { server, t } = await setup({ hidden: (p) => isTemp(p) }, pipelined);
    const old = await t.stat('f.txt');
    await assert.rejects(upload(t, 'f.txt', { expect: old }), /does not show the uploaded temp file \/site\/\.rs-tmp-[^ ]+, so its size cannot be checked; it was not renamed/);
    assert.deepEqual([...server.files('/site').keys()], ['f.txt'], 'no temp left');
    assert.equal(server.files('/site').get('f.txt')!.toString(), OLD);
  });
}
