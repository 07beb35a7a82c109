// Keyboard-interactive prompts in the editor: one input box per prompt, with the server's instructions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { askLoginPrompts, type InputBoxOptions } from '../../src/extension/loginPrompts.js';

test('one input box per prompt, the instructions shown, secrets hidden; a cancel gives up', async () => {
  const shown: InputBoxOptions[] = [];
  const replies = ['123456', 'blue'];
  const answers = await askLoginPrompts({
    who: 'me@host:22', name: 'Two-factor login', instructions: 'Open your authenticator app',
    prompts: [{ prompt: 'Verification code: ', echo: false }, { prompt: 'Favourite colour:', echo: true }],
  }, 'site', async (o) => { shown.push(o); return replies.shift(); });
  assert.deepEqual(answers, ['123456', 'blue']);
  assert.deepEqual(shown, [
    { title: 'Remote Sync (site): Two-factor login', prompt: 'Open your authenticator app — Verification code', password: true, ignoreFocusOut: true },
    { title: 'Remote Sync (site): Two-factor login', prompt: 'Open your authenticator app — Favourite colour', password: false, ignoreFocusOut: true },
  ]);
  let calls = 0;
  const none = await askLoginPrompts({ who: 'me@host:22', name: '', instructions: '', prompts: [{ prompt: 'Code: ', echo: true }, { prompt: 'Again: ', echo: true }] },
    'site', async (o) => { calls++; assert.equal(o.title, 'Remote Sync (site): login to me@host:22'); assert.equal(o.prompt, 'Code (me@host:22)'); return undefined; });
  assert.equal(none, undefined);
  assert.equal(calls, 1, 'nothing more is asked after a cancel');
});
