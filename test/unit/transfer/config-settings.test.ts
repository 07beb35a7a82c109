// The large-file settings of a config file reach the extension's runs as they reach the CLI's
// (where the CLI's flags go over them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configTransferSettings } from '../../../src/core/config/transfer-settings.js';
import { parseConfigText } from '../../../src/core/config/validate.js';

const config = (extra: string) => parseConfigText(`{ "targets": { "p": { "url": "sftp://me@example.com/site" } }${extra} }`, '/w/.vscode/remote-sync.json');

test('a config without large-file settings gives none (the engine defaults apply)', () => {
  assert.deepEqual(configTransferSettings(config('')), {});
  assert.deepEqual(configTransferSettings(undefined), {});
});

test('bandwidthLimit, transferOrder, verify and resumeAbove are passed on', () => {
  const c = config(', "bandwidthLimit": "2M", "transferOrder": "smallest", "verify": "hash", "resumeAbove": "off"');
  assert.deepEqual(configTransferSettings(c), { bandwidthLimit: '2M', order: 'smallest', verify: 'hash', resumeAbove: null });
});
