// Keyboard-interactive prompts on the terminal (src/cli/credentials.ts): the server's text, then
// each prompt; what is typed for a secret prompt is not echoed; without a terminal, nobody answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { makeCredentials } from '../../src/cli/credentials.js';

function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (raw: boolean) => { modes.push(raw); } });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (c) => { shown += String(c); });
  const modes: boolean[] = [];
  return { input, output, modes, shown: () => shown };
}

test('each prompt asked on the terminal, echo as the server says', async () => {
  const t = terminal();
  const creds = makeCredentials({ env: {}, interactive: true, io: { input: t.input, output: t.output }, warn: () => {}, debug: () => {} });
  const pending = creds.answerPrompts!({
    who: 'me@h:22', name: 'Duo two-factor', instructions: 'Enter a passcode or choose an option',
    prompts: [{ prompt: 'Passcode or option (1-3): ', echo: false }, { prompt: 'Device name:', echo: true }],
  });
  setImmediate(() => {
    t.input.write('123456\r');
    setImmediate(() => t.input.write('laptop\r'));
  });
  assert.deepEqual(await pending, ['123456', 'laptop']);
  const out = t.shown();
  assert.ok(out.startsWith('Duo two-factor\nEnter a passcode or choose an option\nPasscode or option (1-3): '), JSON.stringify(out));
  assert.ok(!out.includes('123456'), 'a secret answer is not echoed');
  assert.ok(out.includes('Device name: '), 'a prompt without a trailing space gets one');
  assert.ok(out.includes('laptop'), 'an echo prompt shows what is typed');
  assert.ok(t.modes.includes(true), 'raw mode while asking');
});

test('no terminal: no answers (the login method is given up, with the prompt named in the error)', async () => {
  const creds = makeCredentials({ env: {}, interactive: false, io: { input: new PassThrough(), output: new PassThrough() }, warn: () => {}, debug: () => {} });
  assert.equal(await creds.answerPrompts!({ who: 'me@h:22', name: '', instructions: '', prompts: [{ prompt: 'Code: ', echo: true }] }), undefined);
});
