// From the command line (and the config file, for `run`) to a run's setup: overrides, defaults,
// connection flags that fit the protocol, folder checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { buildSetup } from '../../src/cli/specs.js';
import { SyncError } from '../../src/core/errors.js';

function withWorkspace(config: unknown, fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'rs-setup-'));
  try {
    mkdirSync(join(root, '.vscode'));
    mkdirSync(join(root, 'site/sub'), { recursive: true });
    mkdirSync(join(root, 'mirror'));
    writeFileSync(join(root, '.vscode/remote-sync.json'), typeof config === 'string' ? config : JSON.stringify(config));
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
const setup = (argv: string, cwd: string, interactive = false) =>
  buildSetup(parseArgs(argv.split(' ').filter(Boolean)), { cwd, env: {}, interactive });

const CONFIG = {
  localRoot: 'site',
  targets: { production: { url: 'sftp://deploy@example.com/var/www' }, mirror: { protocol: 'local', remotePath: 'mirror' }, ftp: { url: 'ftps://u@h/x' } },
  defaultTarget: 'production',
  ignore: ['*.log'],
  match: ['*.php'],
  conflictPolicy: 'new',
  concurrency: 6,
  maxDelete: 20,
  deletePropagation: true,
};

test('run: the config file applies, from any folder below the workspace', () => {
  withWorkspace(CONFIG, (root) => {
    const s = setup('run', join(root, 'site/sub'));
    assert.equal(s.mode, 'sync');
    assert.equal(s.localRoot, join(root, 'site'));
    assert.deepEqual(s.remote, { protocol: 'sftp', host: 'example.com', port: 22, portIsDefault: true, user: 'deploy', path: '/var/www' });
    assert.deepEqual(s.filter, { match: ['*.php'], exclude: ['*.log'] });
    assert.equal(s.resolve, 'new');
    assert.equal(s.concurrency, 6);
    assert.equal(s.maxDelete, 20);
    assert.equal(s.delete, false); // deletePropagation is --delete for one-way modes only
    assert.equal(s.configFile, join(root, '.vscode/remote-sync.json'));
    assert.equal(s.targetName, 'production');
    assert.equal(setup('run --mode upload', root).delete, true);
  });
});

test('run: command-line options override the file; -x adds to "ignore"', () => {
  withWorkspace(CONFIG, (root) => {
    const s = setup('run mirror --mode download -m *.css -x tmp/ --resolve remote --concurrency 2 --max-delete 5%', root);
    assert.equal(s.mode, 'download');
    assert.deepEqual(s.remote, { protocol: 'local', path: join(root, 'mirror') });
    assert.deepEqual(s.filter, { match: ['*.css'], exclude: ['*.log', 'tmp/'] });
    assert.equal(s.resolve, 'remote');
    assert.equal(s.concurrency, 2);
    assert.equal(s.maxDelete, '5%');
  });
});

test("run: 'ask' only on a terminal", () => {
  withWorkspace({ ...CONFIG, conflictPolicy: 'ask' }, (root) => {
    assert.equal(setup('run', root, false).resolve, 'skip');
    assert.equal(setup('run', root, true).resolve, 'ask');
  });
  assert.equal(setup(`sync ${tmpdir()} sftp://h/x`, '/').resolve, 'skip');
  assert.equal(setup(`sync ${tmpdir()} sftp://h/x`, '/', true).resolve, 'ask');
});

test('run: unknown target is a usage error with a suggestion; a bad file a config error; no file', () => {
  withWorkspace(CONFIG, (root) => {
    assert.throws(() => setup('run prodution', root), (e: UsageError) => e instanceof UsageError && /no target named 'prodution'.*did you mean 'production'/.test(e.message));
  });
  withWorkspace('{ "targets": { "p": { "url": "sftp://h/x", "port": 2 } } }', (root) => {
    assert.throws(() => setup('run', root), (e: SyncError) => e.code === 'config' && /remote-sync\.json:1:44: targets\.p\.port cannot be used together with "url"/.test(e.message));
  });
  const empty = mkdtempSync(join(tmpdir(), 'rs-none-'));
  try {
    assert.throws(() => setup('run', empty), (e: SyncError) => e.code === 'config' && /No \.vscode\/remote-sync\.json in .* or a folder above it/.test(e.message));
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('connection flags must fit the protocol', () => {
  const d = tmpdir();
  const s = setup(`upload ${d} sftp://h/x --identity ~/.ssh/k --known-hosts kh --accept-new-host-key`, '/work');
  assert.match(s.remote.identity!, /\.ssh\/k$/);
  assert.equal(s.remote.knownHosts, '/work/kh');
  assert.equal(s.remote.acceptNewHostKey, true);
  const f = setup(`upload ${d} ftps://h/x --ftps-implicit --ftp-active --insecure-tls`, '/');
  assert.deepEqual(f.remote, { protocol: 'ftps', host: 'h', port: 990, path: '/x', ftpsImplicit: true, ftpActive: true, allowUnauthorizedTls: true });
  assert.throws(() => setup(`upload ${d} ftp://h/x --identity k`, '/'), /option --identity is for sftp:\/\/ remotes, but REMOTE is ftp:\/\//);
  assert.throws(() => setup(`upload ${d} sftp://h/x --ftp-active`, '/'), /--ftp-active is for ftp:\/\/ or ftps:\/\/ remotes/);
  assert.throws(() => setup(`upload ${d} ftp://h/x --ftps-implicit`, '/'), /--ftps-implicit is for ftps:\/\/ remotes/);
  assert.throws(() => setup(`upload ${d} ftp://h/x --insecure-tls`, '/'), /--insecure-tls is for ftps:\/\//);
  assert.equal(setup(`upload ${d} sftp://h/x --timeout 7`, '/').remote.timeoutSeconds, 7);
  assert.equal(setup(`upload ${d} ftp://h/x --timeout 9`, '/').remote.timeoutSeconds, 9);
  assert.throws(() => setup(`upload ${d} ${join(d, 'elsewhere')} --timeout 7`, '/'), /--timeout is for sftp:\/\/, ftp:\/\/ or ftps:\/\/ remotes/);
  withWorkspace(CONFIG, (root) => {
    assert.equal(setup('run ftp --ftps-implicit', root).remote.port, 990);
    assert.equal(setup('run --identity k', join(root, 'site')).remote.identity, join(root, 'site/k'));
    assert.throws(() => setup('run mirror --identity k', root), /--identity is for sftp:\/\/ remotes, but REMOTE is a local folder/);
  });
});

test('folders: LOCAL must be local; the destination of a one-way run may be new; no nesting', () => {
  const root = mkdtempSync(join(tmpdir(), 'rs-dirs-'));
  try {
    mkdirSync(join(root, 'a'));
    assert.throws(() => setup('upload sftp://h/x a', root), /LOCAL must be a folder on this machine/);
    assert.deepEqual(setup('upload a b', root).createFolders, [join(root, 'b')]);
    assert.deepEqual(setup('download new a', root).createFolders, [join(root, 'new')]);
    assert.throws(() => setup('upload missing a', root), (e: SyncError) => e.code === 'not-found' && e.message.includes(join(root, 'missing')));
    assert.throws(() => setup('sync a b', root), (e: SyncError) => e.code === 'not-found' && /Create it first/.test(e.toString()));
    assert.throws(() => setup('sync a a', root), /LOCAL and REMOTE are the same folder/);
    assert.throws(() => setup('sync a a/inner', root), /must not be inside one another/);
    writeFileSync(join(root, 'file'), 'x');
    assert.throws(() => setup('sync file a', root), /Not a folder/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('one-way options: --delete-unmatched implies --delete; a sync never deletes by option', () => {
  const d = tmpdir();
  const s = setup(`upload ${d} sftp://h/x --delete-unmatched --force`, '/');
  assert.equal(s.delete, true);
  assert.equal(s.deleteUnmatched, true);
  assert.equal(s.force, true);
  assert.equal(setup(`sync ${d} sftp://h/x`, '/').delete, false);
});
