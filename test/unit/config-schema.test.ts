// remote-sync.schema.json (editor completion and hover, contributed by the extension) and the
// validator (parseConfigText) must agree on what a valid config file is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import {
  parseConfigText, STARTER_CONFIG, TOP_LEVEL_FIELDS, TARGET_FIELDS, RESOLVE_STRATEGIES, TARGET_PROTOCOLS,
  CONCURRENCY_RANGE, IDLE_TIMEOUT_RANGE, TIMEOUT_RANGE, WATCH_INTERVAL_RANGE, DOWNLOAD_SERVER_CHANGES,
} from '../../src/core/config/index.js';
import { schemaErrors } from './helpers/json-schema-lite.js';

const schema = JSON.parse(readFileSync(join(__dirname, '../../src/core/config/remote-sync.schema.json'), 'utf8'));
const targetSchema = schema.definitions.target;
const FILE = '/ws/.vscode/remote-sync.json';

const schemaAccepts = (doc: unknown) => schemaErrors(schema, doc).length === 0;
const validatorAccepts = (doc: unknown) => {
  try { parseConfigText(JSON.stringify(doc), FILE); return true; } catch { return false; }
};

test('the schema is draft-07, closed, and documented', () => {
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(schema.additionalProperties, false);
  assert.equal(targetSchema.additionalProperties, false);
  for (const [name, p] of [...Object.entries(schema.properties), ...Object.entries(targetSchema.properties)] as [string, Record<string, unknown>][]) {
    assert.ok(typeof p.description === 'string' && p.description.length > 10, `${name} has no description`);
  }
});

test('same fields: every field the validator knows is in the schema, and the other way round', () => {
  assert.deepEqual(Object.keys(schema.properties).sort(), [...TOP_LEVEL_FIELDS].sort());
  assert.deepEqual(Object.keys(targetSchema.properties).sort(), [...TARGET_FIELDS].sort());
});

test('same enums, ranges and defaults', () => {
  assert.deepEqual(schema.properties.conflictPolicy.enum, [...RESOLVE_STRATEGIES]);
  assert.deepEqual(targetSchema.properties.protocol.enum, [...TARGET_PROTOCOLS]);
  assert.equal(schema.properties.concurrency.minimum, CONCURRENCY_RANGE.min);
  assert.equal(schema.properties.concurrency.maximum, CONCURRENCY_RANGE.max);
  assert.equal(schema.properties.idleTimeoutSeconds.minimum, IDLE_TIMEOUT_RANGE.min);
  assert.equal(schema.properties.idleTimeoutSeconds.maximum, IDLE_TIMEOUT_RANGE.max);
  const c = parseConfigText('{"targets": {"p": {"url": "ftp://h/x"}}}', FILE);
  assert.equal(schema.properties.concurrency.default, c.concurrency);
  assert.equal(schema.properties.idleTimeoutSeconds.default, c.idleTimeoutSeconds);
  assert.equal(schema.properties.timeoutSeconds.minimum, TIMEOUT_RANGE.min);
  assert.equal(schema.properties.timeoutSeconds.maximum, TIMEOUT_RANGE.max);
  assert.equal(schema.properties.timeoutSeconds.default, c.timeoutSeconds);
  assert.equal(schema.properties.uploadOnSave.default, c.uploadOnSave);
  assert.equal(schema.properties.downloadOnOpen.default, c.downloadOnOpen);
  assert.equal(schema.properties.downloadServerChanges.default, c.downloadServerChanges);
  assert.equal(schema.properties.watchServer.properties.intervalSeconds.minimum, WATCH_INTERVAL_RANGE.min);
  assert.deepEqual(schema.properties.downloadServerChanges.enum, [...DOWNLOAD_SERVER_CHANGES]);
  assert.equal(schema.properties.deletePropagation.default, c.deletePropagation);
  assert.equal(schema.properties.conflictPolicy.default, c.conflictPolicy);
  assert.deepEqual(schema.properties.ignore.default, c.ignore);
  assert.equal(schema.properties.localRoot.default, '.');
  assert.equal(schema.properties.maxDelete.default, '50%'); // the engine's default
  assert.equal(targetSchema.properties.passive.default, c.targets.p.passive);
  assert.equal(targetSchema.properties.allowSelfSignedCertificate.default, c.targets.p.allowSelfSignedCertificate);
  assert.equal(targetSchema.properties.protocol.default, 'sftp');
  assert.equal(parseConfigText('{"targets": {"p": {"host": "h", "remotePath": "/x"}}}', FILE).targets.p.protocol, 'sftp');
});

test('STARTER_CONFIG validates against the schema and the validator', () => {
  const errors: unknown[] = [];
  const doc = parseJsonc(STARTER_CONFIG, errors as never, { allowTrailingComma: false });
  assert.deepEqual(errors, []);
  assert.deepEqual(schemaErrors(schema, doc), []);
  assert.ok(parseConfigText(STARTER_CONFIG, FILE));
  // the commented FTP example, uncommented, is valid too
  const ftp = STARTER_CONFIG.replace(/\n(\s*)\/\/ ("staging"|\s+"|})/g, '\n$1$2').replace(/}\n(\s*)\/\/ An FTP.*\n/, '},\n');
  const ftpDoc = parseJsonc(ftp, errors as never, { allowTrailingComma: false });
  assert.deepEqual(errors, []);
  assert.ok(ftpDoc.targets.staging, 'FTP example not found in the starter');
  assert.deepEqual(schemaErrors(schema, ftpDoc), []);
  assert.equal(parseConfigText(ftp, FILE).targets.staging.protocol, 'ftps');
});

const T = (t: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ targets: { p: t }, ...extra });
const SFTP = { url: 'sftp://u@h/x' };
const FTP = { url: 'ftp://u@h/x' };

// documents both must accept
const GOOD: unknown[] = [
  T(SFTP),
  T({ protocol: 'sftp', host: 'h', port: 22, user: 'u', remotePath: '/x', privateKey: '~/.ssh/id', agent: true, knownHosts: '~/.ssh/kh' }),
  T({ host: 'h', remotePath: '/x', agent: '/tmp/agent.sock' }),
  T({ protocol: 'ftp', host: 'h', remotePath: '/x', secure: 'explicit', passive: false, allowSelfSignedCertificate: true }),
  T({ ...FTP, secure: false }),
  T({ url: 'ftps://h/x', secure: 'implicit' }),
  T({ protocol: 'local', remotePath: '/srv/mirror' }),
  T({ url: 'file:///srv/mirror' }),
  T(SFTP, { $schema: 'x', localRoot: 'public', uploadOnSave: true, ignore: ['a/'], match: ['*.php'], conflictPolicy: 'old', concurrency: 32, deletePropagation: true, maxDelete: '12.5%', idleTimeoutSeconds: 86400, timeoutSeconds: 5, downloadOnOpen: true, watchServer: { intervalSeconds: 60 }, downloadServerChanges: 'ask' }),
  T(SFTP, { maxDelete: 0 }),
  T(SFTP, { maxDelete: '100%' }),
  T(SFTP, { maxDelete: '10' }),
  T(SFTP, { conflictPolicy: 'merge', mergeBase: { maxFileSize: '1MB' } }),
  T(SFTP, { mergeBase: { maxFileSize: 65536 } }),
  T(SFTP, { mergeBase: { maxFileSize: '512 kB' } }),
  T(SFTP, { mergeBase: false }),
  T(SFTP, { mergeBase: {} }),
  { targets: { a: SFTP, b: FTP }, defaultTarget: 'a' },
];

// documents both must refuse
const BAD: unknown[] = [
  {},
  { targets: {} },
  T(SFTP, { unknown: 1 }),
  T({ ...SFTP, unknown: 1 }),
  T({ ...SFTP, password: 'x' }),
  T(SFTP, { password: 'x' }),
  T({ ...SFTP, host: 'h' }),
  T({ ...SFTP, remotePath: '/x' }),
  T({ host: 'h' }),
  T({ protocol: 'ftp', remotePath: '/x' }),
  T({ protocol: 'ssh', host: 'h', remotePath: '/x' }),
  T({ host: 'h', remotePath: '/x', port: 0 }),
  T({ host: 'h', remotePath: '/x', port: 65536 }),
  T({ host: 'h', remotePath: '/x', port: '22' }),
  T({ url: 'http://h/x' }),
  T({ ...FTP, secure: true }),
  T({ ...FTP, secure: 'tls' }),
  T({ ...FTP, passive: 'yes' }),
  T({ ...SFTP, agent: 1 }),
  T(SFTP, { concurrency: 0 }),
  T(SFTP, { concurrency: 33 }),
  T(SFTP, { concurrency: 2.5 }),
  T(SFTP, { conflictPolicy: 'newer' }),
  T(SFTP, { mergeBase: true }),
  T(SFTP, { mergeBase: { maxFileSize: 'big' } }),
  T(SFTP, { mergeBase: { maxFileSize: -1 } }),
  T(SFTP, { mergeBase: { maxSize: '1MB' } }),
  T(SFTP, { ignore: 'x' }),
  T(SFTP, { ignore: [''] }),
  T(SFTP, { match: [1] }),
  T(SFTP, { uploadOnSave: 'true' }),
  T(SFTP, { downloadOnOpen: 1 }),
  T(SFTP, { watchServer: { intervalSeconds: 5 } }),
  T(SFTP, { watchServer: {} }),
  T(SFTP, { watch: { upload: true } }),
  T(SFTP, { watchServer: { intervalSeconds: 60, x: 1 } }),
  T(SFTP, { downloadServerChanges: 'always' }),
  T(SFTP, { maxDelete: '150%' }),
  T(SFTP, { maxDelete: 'half' }),
  T(SFTP, { maxDelete: -1 }),
  T(SFTP, { idleTimeoutSeconds: 0 }),
  T(SFTP, { timeoutSeconds: 0 }),
  T(SFTP, { timeoutSeconds: 'slow' }),
  T(SFTP, { localRoot: '' }),
  { targets: { a: SFTP, b: FTP } },
];

// rules only the validator can check (the schema cannot see inside a URL or across targets)
const VALIDATOR_ONLY: unknown[] = [
  T({ url: 'sftp://h' }),
  T({ url: 'ftp://me:secret@h/x' }),
  T({ host: 'h', remotePath: 'relative' }),
  T({ ...FTP, privateKey: '~/.ssh/id' }),
  T({ ...SFTP, passive: true }),
  T({ url: 'ftps://h/x', secure: false }),
  { targets: { a: SFTP }, defaultTarget: 'b' },
];

test('schema and validator agree on good and bad documents', () => {
  for (const doc of GOOD) {
    assert.deepEqual(schemaErrors(schema, doc), [], `schema refuses ${JSON.stringify(doc)}`);
    assert.ok(validatorAccepts(doc), `validator refuses ${JSON.stringify(doc)}`);
  }
  for (const doc of BAD) {
    assert.ok(!schemaAccepts(doc), `schema accepts ${JSON.stringify(doc)}`);
    assert.ok(!validatorAccepts(doc), `validator accepts ${JSON.stringify(doc)}`);
  }
  for (const doc of VALIDATOR_ONLY) {
    assert.ok(!validatorAccepts(doc), `validator accepts ${JSON.stringify(doc)}`);
  }
});

test('every schema property, given a valid example, is accepted by the validator', () => {
  const example = (p: Record<string, unknown>): unknown =>
    p.examples ? (p.examples as unknown[])[0] : p.enum ? (p.enum as unknown[])[0] : p.default !== undefined ? p.default : p.type === 'boolean' ? true : p.type === 'integer' ? 1 : 'x';
  for (const [k, p] of Object.entries(schema.properties) as [string, Record<string, unknown>][]) {
    if (k === 'targets' || k === 'defaultTarget') continue;
    const doc = T(SFTP, { [k]: example(p) });
    assert.ok(validatorAccepts(doc), `validator refuses ${JSON.stringify(doc)}`);
    assert.ok(schemaAccepts(doc), `schema refuses ${JSON.stringify(doc)}`);
  }
  const ftpOnly = new Set(['secure', 'passive', 'allowSelfSignedCertificate', 'tlsFingerprint']);
  for (const [k, p] of Object.entries(targetSchema.properties) as [string, Record<string, unknown>][]) {
    if (['url', 'protocol', 'host', 'port', 'user', 'remotePath'].includes(k)) {
      const doc = T({ protocol: 'sftp', host: 'h', remotePath: '/x', [k]: example(p) });
      if (k === 'url') continue; // cannot be combined with the host form: covered above
      assert.ok(validatorAccepts(doc) && schemaAccepts(doc), `refused: ${JSON.stringify(doc)}`);
      continue;
    }
    const doc = T({ ...(ftpOnly.has(k) ? FTP : SFTP), [k]: example(p) });
    assert.ok(validatorAccepts(doc), `validator refuses ${JSON.stringify(doc)}`);
    assert.ok(schemaAccepts(doc), `schema refuses ${JSON.stringify(doc)}`);
  }
});
