// The config fields of issue 11 (bandwidthLimit, transferOrder, verify, resumeAbove): the validator
// and the schema agree, bad values name the field, and the CLI flags win over the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../../src/core/config/index.js';
import { parseSize } from '../../../src/core/transfer/resume.js';
import { parseArgs } from '../../../src/cli/args.js';
import { transferSettings } from '../../../src/cli/specs.js';
import { schemaErrors } from '../helpers/json-schema-lite.js';

const schema = JSON.parse(readFileSync(join(__dirname, '../../../src/core/config/remote-sync.schema.json'), 'utf8'));
const FILE = '/ws/.vscode/remote-sync.json';
const doc = (extra: Record<string, unknown>) => ({ targets: { p: { url: 'ftp://h/x' } }, ...extra });
const parse = (extra: Record<string, unknown>) => parseConfigText(JSON.stringify(doc(extra)), FILE);

test('sizes: binary units, bytes, off', () => {
  assert.equal(parseSize('8MB'), 8 * 1024 * 1024);
  assert.equal(parseSize('512K'), 512 * 1024);
  assert.equal(parseSize('100000'), 100000);
  assert.equal(parseSize('off'), null);
  assert.equal(parseSize('big'), undefined);
});

test('config: good values are taken, and the schema accepts them too', () => {
  const good = { bandwidthLimit: '08:00,512K 19:00,off', transferOrder: 'newest', verify: 'hash', resumeAbove: '64MB' };
  const c = parse(good);
  assert.equal(c.bandwidthLimit, good.bandwidthLimit);
  assert.equal(c.transferOrder, 'newest');
  assert.equal(c.verify, 'hash');
  assert.equal(c.resumeAbove, 64 * 1024 * 1024);
  assert.equal(parse({ resumeAbove: 'off' }).resumeAbove, null);
  assert.equal(parse({ resumeAbove: 1000 }).resumeAbove, 1000);
  assert.deepEqual(schemaErrors(schema, doc(good)), []);
  assert.deepEqual(schemaErrors(schema, doc({ resumeAbove: 'off' })), []);
});

test('config: bad values name the field and the forms allowed; the schema refuses them too', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ bandwidthLimit: 'fast' }, /bandwidthLimit.*"512K" or "2M"/],
    [{ transferOrder: 'random' }, /transferOrder/],
    [{ verify: 'crc' }, /verify/],
    [{ resumeAbove: 'huge' }, /resumeAbove.*"8MB"/],
  ];
  for (const [extra, re] of bad) {
    assert.throws(() => parse(extra), re, JSON.stringify(extra));
    if (!('bandwidthLimit' in extra)) assert.notDeepEqual(schemaErrors(schema, doc(extra)), [], JSON.stringify(extra));
  }
});

test('CLI flags over the config file; --checksum means verify by hash', () => {
  const args = parseArgs(['upload', 'a', 'sftp://h/x', '--bwlimit', '1M', '--order', 'largest', '--checksum', '--retries', '5', '--retries-sleep', '200ms', '--max-duration', '1h30m', '--stop-at', '06:00']);
  assert.deepEqual(transferSettings(args, { bandwidthLimit: '2M', transferOrder: 'newest', verify: 'size', resumeAbove: null }), {
    resumeAbove: null, retries: 5, retrySleepMs: 200, bandwidthLimit: '1M', maxDurationMs: 5_400_000, stopAt: '06:00', order: 'largest', verify: 'hash',
  });
  assert.deepEqual(transferSettings(parseArgs(['upload', 'a', 'sftp://h/x']), { bandwidthLimit: '2M', transferOrder: 'newest', verify: 'hash' }), {
    bandwidthLimit: '2M', order: 'newest', verify: 'hash',
  });
  assert.throws(() => parseArgs(['upload', 'a', 'b', '--order', 'biggest']), /--order must be one of newest\|oldest\|smallest\|largest\|name/);
  assert.throws(() => parseArgs(['upload', 'a', 'b', '--retries', 'many']), /--retries must be a whole number/);
  assert.throws(() => parseArgs(['upload', 'a', 'b', '--max-duration', 'soon']), /--max-duration must be a duration/);
});
