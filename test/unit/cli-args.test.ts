// The remote-sync command line: every option, combined short flags, --opt=value, repeats, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, wantsJson, splitList, UsageError, OPTIONS } from '../../src/cli/args.js';
import { generalHelp, commandHelp, usageHint } from '../../src/cli/help.js';
import { exitCodeForError } from '../../src/cli/exit-codes.js';

const P = (s: string) => parseArgs(s.split(' ').filter(Boolean));
function usage(argv: string[] | string): UsageError {
  try {
    parseArgs(typeof argv === 'string' ? argv.split(' ') : argv);
  } catch (e) {
    assert.ok(e instanceof UsageError, String(e));
    assert.equal(exitCodeForError(e), 2);
    return e;
  }
  assert.fail(`no usage error for ${String(argv)}`);
}

test('the four commands and their positionals', () => {
  const u = P('upload ./site sftp://h/x');
  assert.equal(u.command, 'upload');
  assert.equal(u.local, './site');
  assert.equal(u.remote, 'sftp://h/x');
  assert.equal(P('download a b').command, 'download');
  assert.equal(P('sync a b').command, 'sync');
  const r = P('run');
  assert.equal(r.command, 'run');
  assert.equal(r.target, undefined);
  assert.equal(P('run staging').target, 'staging');
  assert.equal(P('run staging --mode upload').mode, 'upload');
});

test('defaults', () => {
  const a = P('sync a b');
  assert.deepEqual(
    { ...a, command: undefined, local: undefined, remote: undefined },
    {
      command: undefined, local: undefined, remote: undefined, dryRun: false, delete: false, deleteUnmatched: false, force: false,
      match: [], exclude: [], include: [], excludeFrom: [], includeFrom: [], json: false, verbosity: 0, progress: false, acceptNewHostKey: false, ftpsImplicit: false,
      ftpActive: false, insecureTls: false, noWait: false, checksum: false, help: false, version: false,
    },
  );
});

test('every option, long form', () => {
  const a = parseArgs([
    'upload', 'a', 'ftps://h/x', '--dry-run', '--delete', '--delete-unmatched', '--force', '--resolve', 'local',
    '--match', '*.php,*.css', '--exclude', 'node_modules/', '--concurrency', '8', '--max-delete', '10%', '--json',
    '--verbose', '--progress', '--identity', 'id', '--known-hosts', 'kh', '--accept-new-host-key',
    '--ftps-implicit', '--ftp-active', '--insecure-tls', '--timeout', '12', '--no-wait',
  ]);
  assert.equal(a.dryRun, true);
  assert.equal(a.delete, true);
  assert.equal(a.deleteUnmatched, true);
  assert.equal(a.force, true);
  assert.equal(a.resolve, 'local');
  assert.deepEqual(a.match, ['*.php', '*.css']);
  assert.deepEqual(a.exclude, ['node_modules/']);
  assert.equal(a.concurrency, 8);
  assert.equal(a.maxDelete, '10%');
  assert.equal(a.json, true);
  assert.equal(a.verbosity, 1);
  assert.equal(a.progress, true);
  assert.equal(a.identity, 'id');
  assert.equal(a.knownHosts, 'kh');
  assert.equal(a.acceptNewHostKey, true);
  assert.equal(a.ftpsImplicit, true);
  assert.equal(a.ftpActive, true);
  assert.equal(a.insecureTls, true);
  assert.equal(a.timeout, 12);
  assert.equal(a.noWait, true);
  assert.equal(P('sync a b --quiet').verbosity, -1);
  assert.equal(P('sync a b --max-delete 7').maxDelete, 7);
  assert.equal(P('sync a b --resolve=new').resolve, 'new');
});

test('short options, combined flags, attached values, --opt=value', () => {
  const a = parseArgs(['sync', '-nvv', '-m', '*.js', '-x*.log,tmp/', 'a', 'b']);
  assert.equal(a.dryRun, true);
  assert.equal(a.verbosity, 2);
  assert.deepEqual(a.match, ['*.js']);
  assert.deepEqual(a.exclude, ['*.log', 'tmp/']);
  const b = parseArgs(['upload', 'a', 'b', '-nm', '*.css', '--exclude=a,b', '--concurrency=3', '-qq']);
  assert.equal(b.dryRun, true);
  assert.deepEqual(b.match, ['*.css']);
  assert.deepEqual(b.exclude, ['a', 'b']);
  assert.equal(b.concurrency, 3);
  assert.equal(b.verbosity, -2);
  assert.equal(parseArgs(['-v', 'sync', 'a', 'b']).verbosity, 1); // options before the command
});

test('repeats: -m/-x add up, -v/-q count, a value option given twice keeps the last', () => {
  const a = parseArgs(['sync', 'a', 'b', '-x', 'a', '-x', 'b,c', '--exclude', 'd', '-m', '1', '--match=2', '-vvv', '--resolve', 'skip', '--resolve', 'remote']);
  assert.deepEqual(a.exclude, ['a', 'b', 'c', 'd']);
  assert.deepEqual(a.match, ['1', '2']);
  assert.equal(a.verbosity, 3);
  assert.equal(a.resolve, 'remote');
  assert.equal(P('sync a b -q -q -q').verbosity, -3);
});

test('-- ends the options; "-" and names starting with - after it are positionals', () => {
  const a = parseArgs(['upload', '--', '-weird', 'b']);
  assert.equal(a.local, '-weird');
  assert.equal(a.remote, 'b');
});

test('help and version', () => {
  assert.equal(P('--help').help, true);
  assert.equal(P('-h').command, undefined);
  assert.equal(P('upload -h').command, 'upload');
  assert.equal(P('upload -h').help, true);
  assert.equal(P('help sync').command, 'sync');
  assert.equal(P('help sync').help, true);
  assert.equal(P('-V').version, true);
  assert.equal(P('--version').version, true);
  const g = generalHelp();
  for (const o of OPTIONS) assert.ok(g.includes(`--${o.long}`), `general help lacks --${o.long}`);
  assert.match(g, /sftp:\/\/user@host\[:port\]\/absolute\/path/);
  assert.match(g, /Exit codes: 0 done, 1 error, 2 usage, 3 aborted/);
  assert.match(commandHelp('upload'), /^Usage: remote-sync upload LOCAL REMOTE \[options\]/);
  assert.match(commandHelp('run'), /--mode MODE/);
  assert.doesNotMatch(commandHelp('upload'), /--mode/);
  assert.doesNotMatch(commandHelp('sync'), /--delete /);
  assert.match(usageHint('sync'), /^Usage: remote-sync sync LOCAL REMOTE \[options\]\nTry 'remote-sync sync --help' for more\.$/);
});

test('unknown options and commands: exit 2 with a suggestion and the usage line', () => {
  const e = usage('sync a b --dleete');
  assert.equal(e.message, 'unknown option --dleete (did you mean --delete?)');
  assert.equal(e.command, 'sync');
  assert.equal(usage('upload a b --dry').message, 'unknown option --dry (did you mean --dry-run?)');
  assert.equal(usage('upload a b --resovle local').message, 'unknown option --resovle (did you mean --resolve?)');
  assert.equal(usage('upload a b --concurency 3').message, 'unknown option --concurency (did you mean --concurrency?)');
  assert.equal(usage('upload a b --zzzzzz').message, 'unknown option --zzzzzz');
  assert.equal(usage('upload a b -z').message, 'unknown option -z');
  assert.equal(usage('upload a b -delete').message, 'unknown option -d in -delete (did you mean --delete?)');
  assert.equal(usage('uplaod a b').message, "unknown command 'uplaod' (did you mean upload?)");
  assert.equal(usage('frobnicate').message, "unknown command 'frobnicate'");
  assert.equal(usage([]).message, 'no command given');
});

test('bad values and missing values', () => {
  assert.equal(usage('sync a b --resolve newer').message, "option --resolve must be one of ask|skip|local|remote|new|old|merge (got 'newer') (did you mean new?)");
  assert.match(usage('run --mode both').message, /option --mode must be one of upload\|download\|sync \(got 'both'\)/);
  assert.match(usage('sync a b --concurrency 0').message, /option --concurrency must be a whole number from 1 to 32 \(got '0'\)/);
  assert.match(usage('sync a b --concurrency x').message, /from 1 to 32/);
  assert.match(usage('sync a b --timeout 0').message, /option --timeout must be a whole number of seconds from 1 to 3600 \(got '0'\)/);
  assert.match(usage('sync a b --timeout 1.5').message, /--timeout/);
  assert.equal(usage('sync a b --no-wait=yes').message, 'option --no-wait takes no value (got --no-wait=yes)');
  assert.match(usage('sync a b --max-delete lots').message, /option --max-delete must be a number of files or a percentage, e\.g\. 100 or 50%/);
  assert.match(usage('sync a b --max-delete 101%').message, /--max-delete/);
  assert.equal(usage('sync a b --resolve').message, 'option --resolve needs a value: --resolve MODE');
  assert.equal(usage('sync a b -m').message, 'option -m needs a value: -m PATTERNS');
  assert.equal(usage('sync a b --json=yes').message, 'option --json takes no value (got --json=yes)');
  assert.match(usage(['sync', 'a', 'b', '-x', ',']).message, /needs at least one pattern/);
});

test('positionals: missing, extra; options that do not fit the command', () => {
  assert.equal(usage('upload').message, "'upload' needs LOCAL and REMOTE");
  assert.equal(usage('upload a').message, "'upload' needs REMOTE after LOCAL");
  assert.match(usage('upload a b c.log').message, /unexpected 'c\.log' \(quote patterns: -x '\*\.log'\)/);
  assert.match(usage('run a b').message, /'run' takes at most one TARGET name/);
  assert.match(usage('upload a b --mode sync').message, /option --mode is not used by 'upload' \(only by run\)/);
  assert.match(usage('sync a b --delete').message, /option --delete is not used by 'sync'/);
  assert.match(usage('sync a b --force').message, /option --force is for one-way runs/);
  assert.match(usage('run --delete').message, /option --delete is for one-way runs .*\(add --mode upload or --mode download\)/);
  assert.equal(P('run --mode upload --delete').delete, true);
  assert.match(usage('sync a b -v -q').message, /-v and -q cannot be combined/);
});

test('--json is seen even when the command line is wrong', () => {
  assert.equal(wantsJson(['sync', '--json', '--bad']), true);
  assert.equal(wantsJson(['sync', '--', '--json']), false);
  assert.deepEqual(splitList(' a, ,b ,'), ['a', 'b']);
});
