// One redaction for every message and report (issue "Security", item 7): `user:secret@` loses the
// secret in the CLI's output, the --json report, error messages and the extension's log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import { PassThrough } from 'node:stream';
import { redactSecrets, redactDeep } from '../../src/core/redact.js';
import { SyncError, errorMessage } from '../../src/core/errors.js';
import { parseRemoteArg } from '../../src/core/config/index.js';
import { Output, LEVEL } from '../../src/cli/output.js';
import { buildReport } from '../../src/cli/report.js';
import * as fake from './extension-fake-vscode.js';

const SECRET = 'hunter2';

test('redactSecrets: the secret of anything that looks like user:secret@, and nothing else', () => {
  const cases: Array<[string, string]> = [
    ['ftp://joe:hunter2@host/x', 'ftp://joe:***@host/x'],
    ['ftp:/joe:hunter2@host/x', 'ftp:/joe:***@host/x'],                       // one slash
    ['joe:hunter2@host:/path', 'joe:***@host:/path'],                          // scp-like
    ['"joe:hunter2@host:/srv" looks like scp syntax: write it as sftp://joe:hunter2@host/srv', '"joe:***@host:/srv" looks like scp syntax: write it as sftp://joe:***@host/srv'],
    ['ftp://joe:p@ss@host/x', 'ftp://joe:***@host/x'],                        // '@' in the password
    ['ftp://joe:a:b@host/x', 'ftp://joe:***@host/x'],                         // ':' in the password
    ['ftp://joe:a/b@host/x', 'ftp://joe:***@host/x'],                         // '/' in the password
    ['ftp://joe:pw@host/img@2x.png', 'ftp://joe:***@host/img@2x.png'],        // '@' in the path stays
    ['two: ftp://a:hunter2@h/1 and sftp://b:hunter3@h/2', 'two: ftp://a:***@h/1 and sftp://b:***@h/2'],
    ['{"remote":"ftp://joe:hunter2@h/x"}', '{"remote":"ftp://joe:***@h/x"}'],
    // left alone
    ['sftp://me@host/x', 'sftp://me@host/x'],
    ['sftp://me@[::1]:2222/home/a@b', 'sftp://me@[::1]:2222/home/a@b'],
    ['ftp://joe:***@host/', 'ftp://joe:***@host/'],
    ['me@host', 'me@host'],
    ['a:b c:d', 'a:b c:d'],
    ['Uploaded 3, downloaded 0 in 0.4 s', 'Uploaded 3, downloaded 0 in 0.4 s'],
  ];
  for (const [input, want] of cases) assert.equal(redactSecrets(input), want, input);
  assert.deepEqual(redactDeep({ a: ['ftp://u:hunter2@h/x', 3, null], b: { c: 'u:hunter2@h:/p' } }), { a: ['ftp://u:***@h/x', 3, null], b: { c: 'u:***@h:/p' } });
});

test('error messages built from arguments, and errorMessage() of any error, carry no secret', () => {
  for (const arg of ['joe:hunter2@host:/path', 'ftp:/joe:hunter2@host/x', 'sftp:/joe:hunter2@host/x']) {
    assert.throws(() => parseRemoteArg(arg, '/'), (e: unknown) => {
      assert.ok(e instanceof SyncError);
      assert.doesNotMatch(e.message, /hunter2/);
      assert.match(e.message, /joe:\*\*\*@host/);
      return true;
    });
  }
  assert.equal(errorMessage(new Error('connect ECONNREFUSED ftp://joe:hunter2@h/x')), 'connect ECONNREFUSED ftp://joe:***@h/x');
  assert.doesNotMatch(errorMessage(new SyncError('connect', 'failed', { path: 'u:hunter2@h:/p', detail: 'ftp://u:hunter2@h/' })), /hunter2/);
});

test('CLI output: every stream and level, stack traces and the --json document', () => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: string[] = [];
  stdout.on('data', (d: Buffer) => chunks.push(d.toString()));
  stderr.on('data', (d: Buffer) => chunks.push(d.toString()));
  const out = new Output({ verbosity: LEVEL.debug + 1, json: true, progress: false, stdout, stderr });
  const e = new Error(`bad URL ftp://joe:${SECRET}@h/x`);
  out.line(`line ftp://joe:${SECRET}@h/x`);
  out.error(`error joe:${SECRET}@h:/p`);
  out.warn(`warn ftp:/joe:${SECRET}@h/x`);
  out.note(`note ftp://joe:${SECRET}@h/x`, LEVEL.debug);
  out.error(e.stack!);
  out.logger().debug(`engine ftp://joe:${SECRET}@h/x`);
  // LOCAL and REMOTE swapped: the report's "local" is the URL as typed
  out.json(buildReport({
    mode: 'upload', local: `ftp://joe:${SECRET}@h/x`, remote: './site', dryRun: false, exitCode: 2, summary: 'Usage error', elapsedMs: 1,
    error: new SyncError('usage', `LOCAL must be a folder (got ftp://joe:${SECRET}@h/x)`),
  }));
  const all = chunks.join('');
  assert.match(all, /engine ftp:\/\/joe:\*\*\*@h\/x/, 'the output was written (and redacted)');
  assert.match(all, /"local": "ftp:\/\/joe:\*\*\*@h\/x"/);
  assert.doesNotMatch(all, new RegExp(SECRET));
});

test("the extension's log: every level, scoped loggers too", () => {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : original.call(this, request, ...rest);
  };
  try {
    const { Log } = require('../../src/extension/log.js') as typeof import('../../src/extension/log.js');
    fake.host.log.length = 0;
    const log = new Log();
    log.error(`e ftp://joe:${SECRET}@h/x`);
    log.warn(`w joe:${SECRET}@h:/p`);
    log.info(`i ftp:/joe:${SECRET}@h/x`);
    log.debug(`d ftp://joe:${SECRET}@h/x`);
    log.scoped(() => 'site').error(`s ftp://joe:${SECRET}@h/x`);
    assert.equal(fake.host.log.length, 5);
    assert.match(fake.host.log.join('\n'), /\[site\] s ftp:\/\/joe:\*\*\*@h\/x/);
    assert.doesNotMatch(fake.host.log.join('\n'), new RegExp(SECRET));
  } finally {
    loader._load = original;
  }
});
