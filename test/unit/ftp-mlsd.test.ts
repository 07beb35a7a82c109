// The lean MLSD parser (src/core/targets/ftp-mlsd.ts) must give exactly the entries listDir() makes
// through basic-ftp's parseList() and its own pass over the lines. Compared on listings as pure-ftpd,
// ProFTPD and odd servers send them (cdir/pdir, links, unknown types, facts in any case, names with
// spaces and "/", blank lines, CRLF, millisecond times, no times).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseList, type Client } from 'basic-ftp';
import { parseMlsdListing } from '../../src/core/targets/ftp-mlsd.js';
import { listDir } from '../../src/core/targets/ftp-list.js';
import { rng } from '../harness/rng.js';

/** listDir's result the basic-ftp way: a client whose listing is `text` (pure logic, no connection) */
async function viaBasicFtp(text: string) {
  const c = { parseList, async list() { return this.parseList(text); } };
  return listDir(c as unknown as Client, '/x', true, false);
}

const listings: Record<string, string> = {
  'pure-ftpd': [
    'type=cdir;sizd=4096;modify=20261130101500;UNIX.mode=0755;UNIX.uid=1000;UNIX.gid=1000;unique=803g1a2b3; .',
    'type=pdir;sizd=4096;modify=20261130101400;UNIX.mode=0755;UNIX.uid=0;UNIX.gid=0;unique=803g2; ..',
    'type=file;size=5120;modify=20261130101530;UNIX.mode=0644;UNIX.uid=1000;UNIX.gid=1000;unique=803g1a2c0; file one.bin',
    'type=dir;sizd=4096;modify=20261130101531;UNIX.mode=0700;UNIX.uid=1000;UNIX.gid=1000;unique=803g1a2c1; sub',
    'type=file;size=0;modify=20261130101532;UNIX.mode=0600;unique=803g1a2c2; empty',
    '',
  ].join('\r\n'),
  proftpd: [
    'modify=20261130101500.123;perm=flcdmpe;type=cdir;unique=FD00U1;UNIX.group=0;UNIX.mode=0755;UNIX.owner=0; .',
    'modify=20261130101500.999;perm=adfrw;size=12;type=file;unique=FD00U2;UNIX.group=0;UNIX.mode=0640;UNIX.owner=0; a.txt',
    'modify=20261130101500;perm=flcdmpe;type=OS.unix=slink:/etc;unique=FD00U3;UNIX.mode=0777; link-to-etc',
    'modify=20261130101500;type=OS.unix=symlink;unique=FD00U4; link2',
    'modify=20261130101500;perm=adfrw;size=7;type=file;unique=FD00U1;UNIX.mode=0644; same-id-as-folder',
    '', // (every line ends in a newline: a listing that does not was cut short, ftp-listing-whole.test.ts)
  ].join('\n'),
  odd: [
    'Type=File;Size=3;Modify=20200101000000; capital facts',
    'type=file;size=abc;modify=20200101000000; bad size',
    'type=file;size=-5;modify=20200101000000; negative size',
    'type=file;size=10; no time',
    'type=file;size=10;modify=20200101000000;unix.mode=7; short mode',
    'type=file;size=10;modify=20200101000000;unix.mode=0999; bad mode',
    'type=block;size=10;modify=20200101000000; a device',
    'type=file;size=1;modify=20200101000000; a/b',
    'type=dir;modify=20200101000000; x/y/z',
    'type=file;size=1;modify=20200101000000;  two leading spaces',
    'type=file;size=1;modify=20200101000000; name;with=odd chars',
    'type=file;size=2;size=3;modify=20200101000000; size twice',
    'type=pdir;type=file;size=2;modify=20200101000000; pdir first',
    'type=file;type=cdir;unique=ZZ; cdir later',
    'type=file;size=1;modify=20200101000000; ..',
    'type=file;size=1;modify=20200101000000; .',
    'type=file;size=1;modify=20200101000000;unique=; empty unique',
    'type=file;size=1;modify=20200101000000;novalue=;=x;junk; facts without values',
    '',
    '   ',
    'TYPE=file;SIZE=12345678901234567;MODIFY=20211231235959.5;UNIX.MODE=755; facts read in place: long size, short fraction',
    'type=file;size=+12;modify=2021123123595; signed size, 13-digit time',
    'type=file;size=12x;modify=202112312359590;unix.mode=a644; trailing junk',
    'type=file;size=1;modify=20211231235959;unix.mode=; empty mode;size=2',
    'type=file;size=9;modify=20211231235959; last',
    '',
  ].join('\n'),
  'empty listing': '',
  'only blank lines': '\r\n\r\n',
};

test('the lean MLSD parser gives exactly what listDir made through basic-ftp', async () => {
  for (const [what, text] of Object.entries(listings)) {
    const lean = parseMlsdListing(text);
    assert.ok(lean, `${what}: parsed`);
    const old = await viaBasicFtp(text);
    assert.deepEqual([...lean], [...old], what);
    assert.equal(lean.self, old.self, `${what}: the folder's own id`);
  }
  assert.equal(parseMlsdListing(listings['pure-ftpd'])!.self, '803g1a2b3');
  assert.deepEqual(parseMlsdListing(listings.odd)!.map((e) => e.name).slice(0, 2), ['a/b', 'x/y/z'], 'names with "/" come first, as files, for the bad-name report');
});

test('listings basic-ftp reads with another parser, or fails on, are left to it', async () => {
  const unix = '-rw-r--r--    1 user group        5 Nov 30 10:15 a.txt\ndrwxr-xr-x    2 user group     4096 Nov 30 10:15 sub\n';
  assert.equal(parseMlsdListing(unix), undefined);
  const dos = '11-30-26  10:15AM       <DIR>          sub\r\n11-30-26  10:15AM                    5 a.txt\r\n';
  assert.equal(parseMlsdListing(dos), undefined);
  const badTime = 'type=file;size=1;modify=2020XX01000000; a\n';
  assert.equal(parseMlsdListing(badTime), undefined);
  await assert.rejects(viaBasicFtp(badTime), 'basic-ftp throws on it: the caller lets it');
});

test('random listings: the lean parser gives what basic-ftp gives, or leaves the listing to it only where basic-ftp fails', async () => {
  const seed = 20261202;
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const keys = ['type', 'Type', 'TYPE', 'size', 'Size', 'sizd', 'modify', 'MODIFY', 'unique', 'UNIQUE', 'UNIX.mode', 'unix.mode', 'perm', 'UNIX.uid', 'x', 'total', ''];
  const values: Record<string, readonly string[]> = {
    type: ['file', 'dir', 'cdir', 'pdir', 'File', 'CDIR', 'Cdir', 'OS.unix=slink:/x', 'block', ''],
    size: ['0', '12', '4096', '-3', '+7', 'abc', '12x', '123456789012345678', ''],
    modify: ['20261130101530', '20261130101530.5', '20261130101530.123', '2026113010153', '19700101000000', ''],
    unique: ['803g1', 'FD00U1', 'a=b', ''],
    mode: ['0644', '0755', '644', '7', '0999', '0x1f4', 'a644', '0', '00000', ''],
    other: ['flcdmpe', '1000', '', '=', 'x=y'],
  };
  const valueOf = (k: string) => {
    const l = k.toLowerCase();
    return pick(l === 'type' ? values.type : l === 'size' || l === 'sizd' ? values.size : l === 'modify' ? values.modify : l === 'unique' ? values.unique : l === 'unix.mode' ? values.mode : values.other);
  };
  const names = ['a.txt', 'file one.bin', '  two spaces', '.', '..', '', 'a/b', 'x;y=z', 'é日本', 'total', 'type=file'];
  const line = () => {
    if (r() < 0.05) return pick(['', '   ', 'total 12', '\t']);
    const facts: string[] = [];
    const n = 1 + Math.floor(r() * 6);
    for (let i = 0; i < n; i++) {
      const k = pick(keys);
      facts.push(r() < 0.05 ? k : `${k}=${valueOf(k)}`);
    }
    const sep = r() < 0.03 ? '' : ';';
    return `${facts.join(';')}${sep}${r() < 0.03 ? '' : ' '}${pick(names)}`;
  };
  let compared = 0;
  for (let i = 0; i < 3000; i++) {
    const lines = Array.from({ length: 1 + Math.floor(r() * 6) }, line);
    // (a last line basic-ftp reads as MLSD: the listings the lean parser is for)
    lines.push(`type=file;size=${i};modify=20261130101530; last ${i}`);
    const eol = pick(['\n', '\r\n']);
    const text = lines.join(eol) + eol + (r() < 0.2 ? eol : '');
    const lean = parseMlsdListing(text);
    let old: Awaited<ReturnType<typeof viaBasicFtp>> | undefined;
    try { old = await viaBasicFtp(text); } catch { /* basic-ftp fails on it */ }
    if (lean === undefined) {
      assert.equal(old, undefined, `seed ${seed}, listing ${i}: left to basic-ftp, which reads it:\n${text}`);
      continue;
    }
    assert.ok(old, `seed ${seed}, listing ${i}: basic-ftp fails on it, the lean parser must leave it:\n${text}`);
    assert.deepEqual([...lean], [...old], `seed ${seed}, listing ${i}:\n${text}`);
    assert.equal(lean.self, old.self, `seed ${seed}, listing ${i}: the folder's own id:\n${text}`);
    compared++;
  }
  assert.ok(compared > 2000, `most listings are compared (${compared})`);
});
