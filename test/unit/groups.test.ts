// Server groups (core/groups): a target naming others; validation messages; the summary and exit-code rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, targetSpec, ConfigError } from '../../src/core/config/index.js';
import { SyncError } from '../../src/core/errors.js';
import { groupMembers, groupSummary, worstExitCode } from '../../src/core/groups/index.js';

const FILE = '/ws/.vscode/remote-sync.json';
const cfg = (o: unknown) => parseConfigText(JSON.stringify(o, null, 2), FILE);
const web = (n: number) => ({ url: `sftp://deploy@web${n}.example.com/var/www` });
function msg(fn: () => unknown): string {
  try { fn(); } catch (e) {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
    return e.message;
  }
  assert.fail('no error thrown');
}

test('a group lists its members; members stay ordinary targets', () => {
  const c = cfg({ targets: { web1: web(1), web2: web(2), all: { group: ['web1', 'web2'] } }, defaultTarget: 'web1' });
  assert.deepEqual(Object.keys(c.targets), ['web1', 'web2']);
  assert.deepEqual(c.groups, { all: ['web1', 'web2'] });
  assert.deepEqual(groupMembers(c, 'all'), ['web1', 'web2']);
  assert.equal(groupMembers(c, 'web1'), undefined);
  assert.equal(groupMembers(c, undefined), undefined);
  assert.equal(targetSpec(c, 'web2').host, 'web2.example.com');
});

test('defaultTarget may be a group', () => {
  const c = cfg({ targets: { web1: web(1), web2: web(2), all: { group: ['web1', 'web2'] } }, defaultTarget: 'all' });
  assert.equal(c.defaultTarget, 'all');
  assert.deepEqual(groupMembers(c, c.defaultTarget), ['web1', 'web2']);
});

test('targetSpec of a group says it is a group, naming the members', () => {
  const c = cfg({ targets: { web1: web(1), all: { group: ['web1'] } }, defaultTarget: 'web1' });
  assert.throws(() => targetSpec(c, 'all'), (e: unknown) => e instanceof SyncError && /"all".*is a group of targets \(web1\)/.test(e.message));
});

test('a member must exist (with a suggestion)', () => {
  const m = msg(() => cfg({ targets: { web1: web(1), web2: web(2), all: { group: ['web1', 'wbe2'] } }, defaultTarget: 'web1' }));
  assert.match(m, /targets\.all\.group\[1\]/);
  assert.match(m, /names no target: "wbe2"/);
  assert.match(m, /web2/);
  assert.match(m, /:\d+:\d+/); // a line:column
});

test('no nesting (and so no cycles)', () => {
  const nested = msg(() => cfg({ targets: { web1: web(1), a: { group: ['web1'] }, b: { group: ['a'] } }, defaultTarget: 'web1' }));
  assert.match(nested, /targets\.b\.group\[0\] names the group "a": groups cannot contain groups; list its targets instead \(web1\)/);
  const cycle = msg(() => cfg({ targets: { web1: web(1), a: { group: ['b'] }, b: { group: ['a'] } }, defaultTarget: 'web1' }));
  assert.match(cycle, /groups cannot contain groups/);
  assert.match(msg(() => cfg({ targets: { web1: web(1), a: { group: ['a', 'web1'] } }, defaultTarget: 'web1' })), /names the group itself/);
});

test('a group has no connection fields', () => {
  const m = msg(() => cfg({ targets: { web1: web(1), all: { group: ['web1'], url: 'sftp://x@y/z' } }, defaultTarget: 'web1' }));
  assert.match(m, /targets\.all\.url is not allowed in a group/);
  assert.match(m, /connection settings in each member/);
  assert.match(msg(() => cfg({ targets: { web1: web(1), all: { group: ['web1'], port: 22 } }, defaultTarget: 'web1' })), /targets\.all\.port is not allowed/);
});

test('the member list: a non-empty list of distinct names', () => {
  const base = (group: unknown) => () => cfg({ targets: { web1: web(1), all: { group } }, defaultTarget: 'web1' });
  assert.match(msg(base('web1')), /targets\.all\.group must be a list of target names/);
  assert.match(msg(base([])), /targets\.all\.group is empty/);
  assert.match(msg(base(['web1', 'web1'])), /targets\.all\.group\[1\] names "web1" twice/);
  assert.match(msg(base([3])), /targets\.all\.group\[0\] must be the name of a target/);
});

test('a file with only groups has no target', () => {
  assert.match(msg(() => cfg({ targets: { all: { group: ['web1'] } } })), /names no target|is empty/);
});

test('defaultTarget is required with a group beside a target', () => {
  assert.match(msg(() => cfg({ targets: { web1: web(1), all: { group: ['web1'] } } })), /defaultTarget is required/);
});

test('summary: 3/3 servers, or the failing ones named', () => {
  assert.equal(groupSummary([{ target: 'a', ok: true }, { target: 'b', ok: true }, { target: 'c', ok: true }]), '3/3 servers');
  assert.equal(groupSummary([{ target: 'a', ok: true }, { target: 'b', ok: false, problem: 'Connection refused' }, { target: 'c', ok: true }]),
    '2/3 servers (b failed: Connection refused)');
});

test('exit code: the worst of the members', () => {
  assert.equal(worstExitCode([]), 0);
  assert.equal(worstExitCode([0, 0]), 0);
  assert.equal(worstExitCode([0, 4]), 4);
  assert.equal(worstExitCode([4, 5]), 5);
  assert.equal(worstExitCode([5, 3, 4]), 3);
  assert.equal(worstExitCode([3, 1, 0]), 1);
  assert.equal(worstExitCode([1, 2]), 2);
  assert.equal(worstExitCode([0, 9]), 9);
});

test('the schema accepts a group and refuses connection fields in it, like the validator', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { schemaErrors } = await import('./helpers/json-schema-lite.js');
  const schema = JSON.parse(readFileSync(join(__dirname, '../../src/core/config/remote-sync.schema.json'), 'utf8'));
  const good = { targets: { web1: web(1), web2: web(2), all: { group: ['web1', 'web2'] } }, defaultTarget: 'all' };
  assert.deepEqual(schemaErrors(schema, good), []);
  cfg(good);
  const bad = { targets: { web1: web(1), all: { group: ['web1'], host: 'x' } }, defaultTarget: 'web1' };
  assert.ok(schemaErrors(schema, bad).length > 0);
  assert.throws(() => cfg(bad));
});
