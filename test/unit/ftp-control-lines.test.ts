// Replies on the FTP control connection read from whole lines only (ftp-context.ts controlReplies(),
// LeanFtpContext._onControlSocketData): TCP may split a reply anywhere, also inside a line, and
// basic-ftp's parser took a chunk's unfinished last line as a whole one ("size=12" of "size=1234", or
// "250" of "250-Begin" as a reply of its own, shifting every later pipelined reply by one). Every
// split of a stream of pipelined replies must give the replies of the unsplit stream. And the check
// before a pipelined rename (ftp-replace.ts judgeChecks) takes a positive reply to MLST without its
// facts for what it is, a reply out of step, never for "nothing there".
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { FTPError, type FTPResponse } from 'basic-ftp';
import { LeanFtpContext, controlReplies } from '../../src/core/targets/ftp-context.js';
import { judgeChecks, type PipelinedReplace } from '../../src/core/targets/ftp-replace.js';
import type { Reply } from '../../src/core/targets/ftp-pipeline.js';

/** what a server answers to a pipelined batch: single-line, multi-line (inner lines with and without codes), refusals, a bare LF */
const STREAM = [
  '220 ready\r\n',
  '211-Features:\r\n MLST type*;size*;modify*;\r\n MFMT\r\n EPSV\r\n211 End\r\n',
  '250-Begin\r\n type=file;size=1234;modify=20200101000000; /d/.rs-tmp-abc\r\n250 End\r\n',
  '213 Modify=20200101000000; /d/.rs-tmp-abc\r\n',
  '250-Begin\r\n type=file;size=99;modify=20210101000000; /d/f\r\n250 End\r\n',
  '550-No such file\r\n550-second line\r\n550 End\r\n',
  '200 bare line feed\n',
  '230-Welcome\r\n230-more text\r\n 230 not the end (indented)\r\n230 Logged in\r\n',
  '350 ok\r\n',
].join('');

const WANT = [
  '220 ready',
  '211-Features:\n MLST type*;size*;modify*;\n MFMT\n EPSV\n211 End',
  '250-Begin\n type=file;size=1234;modify=20200101000000; /d/.rs-tmp-abc\n250 End',
  '213 Modify=20200101000000; /d/.rs-tmp-abc',
  '250-Begin\n type=file;size=99;modify=20210101000000; /d/f\n250 End',
  '550-No such file\n550-second line\n550 End',
  '200 bare line feed',
  '230-Welcome\n230-more text\n 230 not the end (indented)\n230 Logged in',
  '350 ok',
];

/** the replies of `chunks` read one after another (as the data events of the control socket) */
function replies(chunks: string[]): { messages: string[]; rest: string } {
  const messages: string[] = [];
  let rest = '';
  for (const chunk of chunks) {
    const r = controlReplies(rest, chunk);
    messages.push(...r.messages);
    rest = r.rest;
  }
  return { messages, rest };
}

/** a LeanFtpContext whose control-socket data is fed by hand; what it passes on to its task is recorded */
function feedable(): { ctx: LeanFtpContext; got: Array<FTPResponse | Error>; feed(chunk: string): void } {
  const ctx = new LeanFtpContext(5000);
  const got: Array<FTPResponse | Error> = [];
  const hooks = ctx as unknown as { _passToHandler(r: FTPResponse | Error): void; _onControlSocketData(chunk: string): void };
  hooks._passToHandler = (r) => { got.push(r); };
  return { ctx, got, feed: (chunk) => hooks._onControlSocketData(chunk) };
}

const shown = (r: FTPResponse | Error): string => (r instanceof FTPError ? `E${r.code} ${r.message}` : r instanceof Error ? `error ${r.message}` : `${r.code} ${r.message}`);

describe('control replies from whole lines', () => {
  test('the unsplit stream: every reply, multi-line ones whole, nothing left over', () => {
    assert.deepEqual(replies([STREAM]), { messages: WANT, rest: '' });
  });

  test('every split point, and every pair of split points, gives the same replies (CRLF split between CR and LF too)', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      assert.deepEqual(replies([STREAM.slice(0, i), STREAM.slice(i)]), { messages: WANT, rest: '' }, `split at ${i}: ${JSON.stringify(STREAM.slice(Math.max(0, i - 12), i))}|…`);
    }
    for (let i = 0; i <= STREAM.length; i += 3) {
      for (let j = i; j <= STREAM.length; j++) {
        assert.deepEqual(replies([STREAM.slice(0, i), STREAM.slice(i, j), STREAM.slice(j)]).messages, WANT, `splits at ${i} and ${j}`);
      }
    }
  });

  test('one byte at a time, and random pieces', () => {
    assert.deepEqual(replies([...STREAM]), { messages: WANT, rest: '' });
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    for (let k = 0; k < 200; k++) {
      const chunks: string[] = [];
      for (let i = 0; i < STREAM.length;) { const n = 1 + Math.floor(rnd() * 12); chunks.push(STREAM.slice(i, i + n)); i += n; }
      assert.deepEqual(replies(chunks), { messages: WANT, rest: '' });
    }
  });

  test('an unfinished line or multi-line reply is kept, not parsed: "size=12" of "size=1234" and "250" of "250-Begin" are no replies', () => {
    assert.deepEqual(controlReplies('', '250'), { messages: [], rest: '250' });
    assert.deepEqual(controlReplies('', '200 ok\r\n250'), { messages: ['200 ok'], rest: '250' });
    const cut = controlReplies('', '250-Begin\r\n type=file;size=12');
    assert.deepEqual(cut.messages, []);
    assert.deepEqual(controlReplies(cut.rest, '34;modify=20200101000000; /d/f\r\n250 End\r\n').messages, ['250-Begin\n type=file;size=1234;modify=20200101000000; /d/f\n250 End']);
    assert.deepEqual(controlReplies('', '200 ok\r').rest, '200 ok\r', 'a CR without its LF: not a line yet');
  });

  test('LeanFtpContext: every split point passes on the same replies, refusals as FTPErrors', () => {
    const whole = feedable();
    whole.feed(STREAM);
    const want = whole.got.map(shown);
    assert.deepEqual(want, WANT.map((m) => (Number(m.slice(0, 3)) >= 400 ? `E${m.slice(0, 3)} ${m}` : `${m.slice(0, 3)} ${m}`)));
    assert.ok(whole.got[5] instanceof FTPError);
    for (let i = 0; i <= STREAM.length; i++) {
      const f = feedable();
      f.feed(STREAM.slice(0, i));
      f.feed(STREAM.slice(i));
      assert.deepEqual(f.got.map(shown), want, `split at ${i}`);
      f.ctx.close();
    }
    whole.ctx.close();
  });

  test('LeanFtpContext: what is pending is dropped with a new socket and when the connection closes', () => {
    const f = feedable();
    f.feed('250-Begin\r\n type=file;size=12');
    f.ctx.socket = new Socket(); // (as Client.connect() does: a reconnected context starts afresh)
    f.feed('200 ok\r\n');
    assert.deepEqual(f.got.map(shown), ['200 200 ok']);
    f.feed('21');
    f.ctx.closeWithError(new Error('gone'));
    assert.equal((f.ctx as unknown as { _partialResponse: string })._partialResponse, '');
    f.ctx.close();
  });
});

describe('judgeChecks: a positive reply to MLST without facts, or naming another type', () => {
  const ok = (message: string): FTPResponse => ({ code: Number(message.slice(0, 3)), message });
  const refused = (message: string): FTPError => new FTPError(ok(message));
  const planned = { path: 'f', type: 'file' as const, size: 10, mtime: Date.UTC(2019, 0, 1) };
  const base = (over: Partial<PipelinedReplace> = {}): PipelinedReplace => ({
    tmp: '.rs-tmp-abc', absTmp: '/d/.rs-tmp-abc', abs: '/d/f', path: 'f', size: 12, mtime: Date.UTC(2020, 0, 1), expect: planned,
    mfmtRefused: () => undefined, setMtimeAfter: async () => true, ...over,
  });
  const temp = ok('250-Begin\n type=file;size=12;modify=20200101000000; /d/.rs-tmp-abc\n250 End');
  const mfmt = ok('213 Modify=20200101000000; /d/.rs-tmp-abc');
  const same = ok('250-Begin\n type=file;size=10;modify=20190101000000; /d/f\n250 End');
  const changed = ok('250-Begin\n type=file;size=99;modify=20210101000000; /d/f\n250 End');

  test('the file at the final name as planned, gone (550) or changed: as before', () => {
    assert.deepEqual(judgeChecks(base(), [temp, mfmt, same]), { mtimeSet: true, sizeUnchecked: false });
    assert.deepEqual(judgeChecks(base(), [temp, mfmt, refused('550 No such file')]), { mtimeSet: true, sizeUnchecked: false }, 'gone: nothing is overwritten, no reason to stop');
    assert.throws(() => judgeChecks(base(), [temp, mfmt, changed]), /Changed on the server/);
  });

  test('the re-check given another command\'s reply (MFMT\'s 213, a bare 250) fails instead of passing as "gone"', () => {
    for (const other of [mfmt, ok('250 End'), ok('250')]) {
      assert.throws(() => judgeChecks(base(), [temp, mfmt, other] as Reply[]), (e: Error) => /Unexpected reply to MLST \/d\/f/.test(e.message), other.message);
      assert.throws(() => judgeChecks(base({ expect: undefined, newOnly: true }), [temp, mfmt, other] as Reply[]), /Unexpected reply to MLST \/d\/f/);
    }
  });

  test('a link or special file at the final name is an error, never "gone"', () => {
    for (const type of ['OS.unix=slink:/etc/passwd', 'OS.unix=symlink', 'OS.unix=chr-13/29']) {
      const there = ok(`250-Begin\n type=${type};size=10;modify=20190101000000; /d/f\n250 End`);
      assert.throws(() => judgeChecks(base(), [temp, mfmt, there]), new RegExp(`/d/f on the server is neither a file nor a folder \\(type=${type.replace(/[.]/g, '\\.')}\\)`));
      assert.throws(() => judgeChecks(base({ expect: undefined, newOnly: true }), [temp, mfmt, there]), /neither a file nor a folder/);
    }
  });

  test('the temp\'s size check given a reply without facts fails instead of being skipped', () => {
    assert.throws(() => judgeChecks(base(), [ok('250'), ok('250 End'), same]), /Unexpected reply to MLST \/d\/\.rs-tmp-abc/);
    assert.throws(() => judgeChecks(base(), [ok('250-Begin\n type=file;size=1234;modify=20200101000000; /d/.rs-tmp-abc\n250 End'), mfmt, same]), /incomplete/, 'the size is checked');
    assert.deepEqual(judgeChecks(base(), [refused('550 No such file'), mfmt, same]), { mtimeSet: true, sizeUnchecked: true }, 'a temp not listed (550): its size is asked another way');
  });
});
