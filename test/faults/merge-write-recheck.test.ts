// A merge writes its result to each side only when that side is still what was merged: a server change
// that lands while the merged file is being written (after the re-check's stat) is never written over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { WriteOptions } from '../../src/core/types.js';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';

test('a merge on save never overwrites a server change made while the merged file is written', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rs-merge-recheck-'));
  try {
    const L = join(root, 'local'), R = join(root, 'remote');
    mkdirSync(L); mkdirSync(R);
    const spec = { protocol: 'local' as const, path: R };
    const mk = () => new SyncSession({ local: createTarget({ protocol: 'local', path: L }), remote: createTarget(spec, {}), localRoot: L, remoteId: remoteId(spec) });
    writeFileSync(join(L, 'x.txt'), 'a\nb\nc\nd\ne\nf\n');
    utimesSync(join(L, 'x.txt'), new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2020, 0, 1)));
    { const s = mk(); await s.run({ mode: 'sync' }); await s.close(); }
    writeFileSync(join(L, 'x.txt'), 'a LOCAL\nb\nc\nd\ne\nf\n');
    writeFileSync(join(R, 'x.txt'), 'a\nb\nc\nd\ne\nf REMOTE\n');
    const colleague = 'a\nb\nc COLLEAGUE\nd\ne\nf REMOTE\n';
    const s = mk();
    const remote = s.remote as unknown as { write: (p: string, src: Readable, o?: WriteOptions) => Promise<unknown> };
    const write = remote.write.bind(remote);
    let first = true;
    remote.write = async (p, src, o) => {
      if (first) { first = false; writeFileSync(join(R, 'x.txt'), colleague); } // lands during the merged upload
      return write(p, src, o);
    };
    try {
      const out = (await s.saveFiles(['x.txt'], { merge: true })).get('x.txt');
      assert.notEqual(out?.status, 'merged');
    } finally {
      await s.close();
    }
    assert.equal(readFileSync(join(R, 'x.txt'), 'utf8'), colleague, 'the colleague\'s save is still on the server');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the Undo of a merge never writes over a save made while it writes the local file back', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rs-merge-undo-'));
  try {
    const L = join(root, 'local'), R = join(root, 'remote');
    mkdirSync(L); mkdirSync(R);
    const spec = { protocol: 'local' as const, path: R };
    const mk = () => new SyncSession({ local: createTarget({ protocol: 'local', path: L }), remote: createTarget(spec, {}), localRoot: L, remoteId: remoteId(spec) });
    writeFileSync(join(L, 'x.txt'), 'a\nb\nc\nd\ne\nf\n');
    utimesSync(join(L, 'x.txt'), new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2020, 0, 1)));
    { const s = mk(); await s.run({ mode: 'sync' }); await s.close(); }
    writeFileSync(join(L, 'x.txt'), 'a LOCAL\nb\nc\nd\ne\nf\n');
    writeFileSync(join(R, 'x.txt'), 'a\nb\nc\nd\ne\nf REMOTE\n');
    const s = mk();
    try {
      const out = await s.mergePath('x.txt');
      assert.equal(out.status, 'merged');
      if (out.status !== 'merged') return;
      const saved = 'a LOCAL\nb\nc SAVED DURING THE UNDO\nd\ne\nf REMOTE\n';
      const local = s.local as unknown as { write: (p: string, src: Readable, o?: WriteOptions) => Promise<unknown> };
      const write = local.write.bind(local);
      local.write = async (p, src, o) => { writeFileSync(join(L, 'x.txt'), saved); return write(p, src, o); };
      await assert.rejects(out.undo(), /Changed locally/);
      assert.equal(readFileSync(join(L, 'x.txt'), 'utf8'), saved, 'the save is kept');
    } finally {
      await s.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
