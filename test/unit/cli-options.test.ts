// The option names rsync and rclone users type, the jump/ssh-config/port/retries/log-file options,
// the one option list behind the help, the README table and the shell completions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { OPTIONS, parseArgs, UsageError } from '../../src/cli/args.js';
import { buildSetup } from '../../src/cli/specs.js';
import { completionScript } from '../../src/cli/completion.js';
import { optionsMarkdown, withOptionsTable } from '../../src/cli/options-doc.js';
import { generalHelp } from '../../src/cli/help.js';
import { runCli } from '../../src/cli/run.js';
import { Filter } from '../../src/core/filter.js';
import { skipOrFail } from '../harness/env.js';

const P = (s: string) => parseArgs(s.split(' ').filter(Boolean));
const usage = (s: string) => { try { P(s); } catch (e) { assert.ok(e instanceof UsageError); return e; } assert.fail(`no usage error for ${s}`); };

async function inDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rs-opts-'));
  try {
    mkdirSync(join(dir, 'site'));
    mkdirSync(join(dir, 'mirror'));
    await fn(dir);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}
const setup = (argv: string, cwd: string) => buildSetup(P(argv), { cwd, env: {}, interactive: false });

test('rsync and rclone names: -P, --include, --delete-excluded, --port, --retries, --log-file', () => {
  assert.equal(P('sync a b -P').progress, true);
  assert.equal(P('sync a b -nP').dryRun, true);
  const a = P('upload a b --delete-excluded');
  assert.equal(a.deleteUnmatched, true);
  assert.equal(a.delete, true);
  assert.match(usage('sync a b --delete-excluded').message, /option --delete-excluded is not used by 'sync'/);
  assert.match(usage('run --delete-excluded').message, /option --delete-excluded is for one-way runs/);
  assert.deepEqual(P('sync a b --include *.keep,x --include=y').include, ['*.keep', 'x', 'y']);
  assert.equal(P('sync a b --port 2222').port, 2222);
  assert.match(usage('sync a b --port 0').message, /--port must be a port number/);
  assert.equal(P('sync a b --retries 0').retries, 0);
  assert.match(usage('sync a b --retries 11').message, /from 0 to 10/);
  assert.equal(P('sync a b --log-file x.log').logFile, 'x.log');
  assert.equal(P('sync a b --jump u@h:22,h2').jump, 'u@h:22,h2');
  assert.equal(P('sync a b --ssh-config cfg').sshConfig, 'cfg');
  assert.deepEqual(P('sync a b --exclude-from .gitignore --include-from keep.txt'), { ...P('sync a b'), excludeFrom: ['.gitignore'], includeFrom: ['keep.txt'] });
  assert.match(usage('sync a b --inclde x').message, /did you mean --include\?/);
});

test('--include takes back what an exclude leaves out; --exclude-from / --include-from read files', async () => {
  await inDir((dir) => {
    writeFileSync(join(dir, 'ex.txt'), '# excluded\n*.log\nbuild/\n');
    writeFileSync(join(dir, 'in.txt'), 'important.log\n');
    const s = setup(`sync site ${join(dir, 'mirror')} -x *.tmp --include keep.tmp --exclude-from ex.txt --include-from in.txt`, dir);
    assert.deepEqual(s.filter.exclude, ['*.tmp', '*.log', 'build/', '!keep.tmp', '!important.log']);
    const f = new Filter(s.filter);
    assert.ok(f.isExcluded('a.tmp', 'file'));
    assert.ok(!f.isExcluded('keep.tmp', 'file'));
    assert.ok(f.isExcluded('x/debug.log', 'file'));
    assert.ok(!f.isExcluded('x/important.log', 'file'));
    assert.throws(() => setup(`sync site ${join(dir, 'mirror')} --exclude-from missing.txt`, dir), /Cannot read the pattern file of --exclude-from: .*missing\.txt/);
  });
});

test('--port, --retries, --jump, --ssh-config reach the spec; protocol checks', async () => {
  await inDir((dir) => {
    const s = setup('upload site sftp://me@example.com/x --port 2222 --retries 5 --jump b@bastion --ssh-config ~/cfg', dir);
    assert.equal(s.remote.port, 2222);
    assert.equal(s.remote.portIsDefault, undefined, 'an explicit --port wins over the ssh config');
    assert.equal(s.remote.retries, 5);
    assert.equal(s.remote.jump, 'b@bastion');
    assert.match(s.remote.sshConfig ?? '', /\/cfg$/);
    assert.equal(setup('upload site ftp://me@example.com/x --port 2121', dir).remote.port, 2121);
    assert.equal(setup('upload site ftps://me@example.com/x --port 21 --ftps-implicit', dir).remote.port, 21, '--port wins over the implicit-TLS default');
    assert.equal(setup('upload site ftps://me@example.com/x --ftps-implicit', dir).remote.port, 990);
    assert.match(String(assertThrows(() => setup(`upload site ${join(dir, 'm')} --port 22`, dir))), /--port is for sftp:\/\/, ftp:\/\/ or ftps:\/\/ remotes/);
    assert.match(String(assertThrows(() => setup('upload site ftp://h/x --jump b', dir))), /--jump is for sftp:\/\//);
    assert.match(String(assertThrows(() => setup('upload site sftp://h/x --jump a:b:c', dir))), /--jump: Bad jump host/);
  });
});

test('run: the config file\'s ignoreFiles reach the session filter', async () => {
  await inDir(async (dir) => {
    mkdirSync(join(dir, '.vscode'));
    writeFileSync(join(dir, '.vscode', 'remote-sync.json'), JSON.stringify({ localRoot: 'site', ignoreFiles: ['.gitignore'], targets: { m: { protocol: 'local', remotePath: 'mirror' } } }));
    const s = setup('run -x *.tmp', join(dir, 'site'));
    assert.deepEqual(s.filter, { exclude: ['*.tmp'], ignoreFiles: ['.gitignore'] });
  });
});

function assertThrows(fn: () => unknown): unknown {
  try { fn(); } catch (e) { return e; }
  return assert.fail('expected an error');
}

test('one list: the help, the README table and the completions name every option', () => {
  const help = generalHelp();
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  assert.equal(withOptionsTable(readme), readme, 'README.md option table is out of date: node --import tsx scripts/readme-options.ts');
  assert.ok(readme.includes(optionsMarkdown()));
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const script = completionScript(shell);
    for (const o of OPTIONS) {
      assert.ok(help.includes(`--${o.long}`), `help lacks --${o.long}`);
      assert.ok(script.includes(shell === 'fish' ? `-l ${o.long}` : `--${o.long}`), `${shell} completion lacks --${o.long}`);
    }
    for (const c of ['upload', 'download', 'sync', 'run', 'completion']) assert.ok(script.includes(c), `${shell}: ${c}`);
  }
  assert.ok(help.includes('remote-sync completion bash|zsh|fish'));
});

test('the bash completion is valid bash and completes options, values and commands', () => {
  const script = completionScript('bash');
  const syntax = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  const complete = (words: string[]) => {
    const r = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _remote_sync; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  };
  assert.deepEqual(complete(['remote-sync', 'up']), ['upload']);
  assert.deepEqual(complete(['remote-sync', 'sync', '--del']).sort(), ['--delete', '--delete-excluded', '--delete-unmatched']);
  assert.deepEqual(complete(['remote-sync', 'sync', '--resolve', 'n']), ['new']);
  assert.deepEqual(complete(['remote-sync', 'completion', 'z']), ['zsh']);
  assert.deepEqual(complete(['remote-sync', 'run', '--inc']), ['--include', '--include-from']);
});

for (const shell of ['zsh', 'fish'] as const) {
  test(`the ${shell} completion parses and loads`, (t) => {
    const bin = spawnSync('sh', ['-c', `command -v ${shell}`], { encoding: 'utf8' }).stdout.trim();
    if (!bin) { t.skip(skipOrFail(`${shell} is not installed (apt-get install ${shell})`).skip); return; }
    const dir = mkdtempSync(join(tmpdir(), `rs-${shell}-`));
    try {
      const file = join(dir, shell === 'zsh' ? '_remote-sync' : 'remote-sync.fish');
      writeFileSync(file, completionScript(shell));
      const syntax = spawnSync(bin, ['-n', file], { encoding: 'utf8' });
      assert.equal(syntax.status, 0, syntax.stderr);
      if (shell === 'fish') {
        // loaded, fish lists our options for "remote-sync sync --del"
        const r = spawnSync(bin, ['--no-config', '-c', `source ${file}; complete -C 'remote-sync sync --del'`], { encoding: 'utf8', env: { ...process.env, HOME: dir } });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]).sort(), ['--delete', '--delete-excluded', '--delete-unmatched']);
      } else {
        const r = spawnSync(bin, ['-f', '-c', `autoload -U compinit; compinit -u -d ${dir}/zcd; source ${file}; (( $+functions[_remote_sync] )) && echo loaded`], { encoding: 'utf8', env: { ...process.env, HOME: dir } });
        assert.equal(r.stdout.trim(), 'loaded', r.stderr);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => { out += String(c); });
  stderr.on('data', (c) => { err += String(c); });
  const code = await runCli({ argv, env: { PATH: process.env.PATH, HOME: cwd }, cwd, stdin: new PassThrough() as never, stdout, stderr, version: 't' });
  return { code, out, err };
}

test('remote-sync completion SHELL; a bad shell is a usage error', async () => {
  await inDir(async (dir) => {
    const r = await cli(['completion', 'fish'], dir);
    assert.equal(r.code, 0);
    assert.equal(r.out, completionScript('fish'));
    const bad = await cli(['completion', 'tcsh'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /'completion' needs one shell: bash\|zsh\|fish \(got 'tcsh'\)/);
  });
});

test('--log-file appends everything, with times, whatever -q says', async () => {
  await inDir(async (dir) => {
    writeFileSync(join(dir, 'site', 'a.txt'), 'a');
    const log = join(dir, 'run.log');
    const r = await cli(['upload', 'site', 'mirror', '-qq', '--log-file', log], dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '', '-qq prints nothing');
    const text = readFileSync(log, 'utf8');
    assert.match(text, /^\d{4}-\d\d-\d\dT[\d:.]+Z remote-sync t: upload site mirror -qq --log-file/m);
    assert.match(text, /Z ↑ upload +a\.txt/);
    assert.match(text, /Z Uploaded 1/);
    await cli(['upload', 'site', 'mirror', '--log-file', log], dir);
    assert.ok(readFileSync(log, 'utf8').startsWith(text), 'appended, not replaced');
    const bad = await cli(['upload', 'site', 'mirror', '--log-file', join(dir, 'no', 'such', 'dir.log')], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /cannot open the log file .*dir\.log/);
  });
});
