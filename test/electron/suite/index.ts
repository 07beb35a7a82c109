// The user flows of issue 3 §7 inside desktop VS Code (@vscode/test-electron), through the vscode API:
// the extension's commands, editor edits + save, the server's filesystem, window.tabGroups for the
// conflict diff, and the extension's log file for what it reported. Started by test/electron/run.ts,
// which prepares the workspace (its .vscode/remote-sync.json points at a loopback sshd) and passes
// the paths in RS_E2E_* variables. Bundled by run.ts into out/electron/suite/index.js.
import * as vscode from 'vscode';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through test/electron/run.ts`);
  return v;
};
const WS = () => env('RS_E2E_WORKSPACE');
const REMOTE = () => env('RS_E2E_REMOTE');
const OWNER = () => ({ uid: Number(env('RS_E2E_UID')), gid: Number(env('RS_E2E_GID')) });
const EXTENSION_ID = 'remote-sync.remote-sync';
const DIFF_TITLE = (name: string) => `${name} (remote ↔ local)`;

// ---- helpers ------------------------------------------------------------------------------------

type Falsy = undefined | null | false | '' | 0;
async function waitFor<T>(check: () => T | Falsy | Promise<T | Falsy>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as T;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function equal(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const read = (p: string): string | undefined => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } };
const readLocal = (rel: string) => read(join(WS(), rel));
const readRemote = (rel: string) => read(join(REMOTE(), rel));
function writeLocal(rel: string, text: string): void {
  mkdirSync(dirname(join(WS(), rel)), { recursive: true });
  writeFileSync(join(WS(), rel), text);
}
/** a change made on the server: written on its filesystem, owned by the SSH user (who must be able to replace it) */
function writeRemote(rel: string, text: string): void {
  const abs = join(REMOTE(), rel);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  chownSync(abs, OWNER().uid, OWNER().gid);
}
async function waitRemote(rel: string, text: string): Promise<void> {
  await waitFor(() => readRemote(rel) === text, `${rel} on the server to be ${JSON.stringify(text)} (now ${JSON.stringify(readRemote(rel))})`);
}
async function waitLocal(rel: string, text: string): Promise<void> {
  await waitFor(() => readLocal(rel) === text, `${rel} in the workspace to be ${JSON.stringify(text)} (now ${JSON.stringify(readLocal(rel))})`);
}
function remoteFiles(dir = REMOTE(), rel = ''): string[] {
  const out: string[] = [];
  for (const n of readdirSync(join(dir, rel)).sort()) {
    const p = rel ? `${rel}/${n}` : n;
    if (statSync(join(dir, p)).isDirectory()) out.push(...remoteFiles(dir, p)); else out.push(p);
  }
  return out;
}

/** The extension's "Remote Sync" log (its LogOutputChannel's file under the user-data dir's logs). */
function logText(): string {
  const root = join(env('RS_E2E_USER_DATA'), 'logs');
  const found: { p: string; m: number }[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const s = statSync(p);
      if (s.isDirectory()) walk(p); else if (n === 'Remote Sync.log') found.push({ p, m: s.mtimeMs });
    }
  };
  walk(root);
  found.sort((a, b) => b.m - a.m);
  return found.length ? readFileSync(found[0].p, 'utf8') : '';
}
async function waitLog(re: RegExp, since = 0): Promise<string> {
  return waitFor(() => { const m = re.exec(logText().slice(since)); return m ? m[0] : ''; }, `${re} in the Remote Sync log`);
}

function diffTab(name: string): vscode.Tab | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.label === DIFF_TITLE(name) && tab.input instanceof vscode.TabInputTextDiff && tab.input.original.scheme === 'remote-sync') return tab;
    }
  }
  return undefined;
}

async function editAndSave(rel: string, text: string, replace: boolean): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(WS(), rel)));
  const editor = await vscode.window.showTextDocument(doc);
  await editor.edit((e) => {
    if (replace) e.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
    else e.insert(doc.positionAt(doc.getText().length), text);
  });
  if (!(await doc.save())) throw new Error(`saving ${rel} failed`);
}

// ---- the flows ----------------------------------------------------------------------------------

const INITIAL: Record<string, string> = JSON.parse(env('RS_E2E_INITIAL'));

const tests: Array<[string, () => Promise<void>]> = [
  ['the extension is active for the workspace, and a first "Sync: Upload" records the state', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
    await waitFor(() => ext.isActive, 'the extension to activate on workspaceContains:.vscode/remote-sync.json');
    const activated = await waitLog(/activated in \d+ ms/);
    console.log(`    ${activated}`);
    await vscode.commands.executeCommand('remoteSync.upload');
    for (const [rel, text] of Object.entries(INITIAL)) await waitRemote(rel, text);
    equal(remoteFiles(), Object.keys(INITIAL).sort(), 'the files on the server');
    await waitLog(/Upload: Uploaded 7, downloaded 0, deleted 0, 0 conflicts left, 0 errors/);
  }],

  ['flow 1: edit a file and save → it is on the server', async () => {
    await editAndSave('index.html', '<p>Saved in the editor</p>\n', false);
    await waitRemote('index.html', '<h1>Hello</h1>\n<p>Saved in the editor</p>\n');
    await waitLog(/Uploaded on save: index\.html/);
  }],

  ['flow 2: changes on each side and on both → "Sync: Bidirectional" transfers two and opens the conflict diff', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    writeLocal('b.txt', 'b: changed locally, on disk\n');
    writeRemote('c.txt', 'c: changed on the server\n');
    writeLocal('a.txt', 'a: changed locally\n');
    writeRemote('a.txt', 'a: changed on the server, longer\n');
    await vscode.commands.executeCommand('remoteSync.bidirectional');
    await waitRemote('b.txt', 'b: changed locally, on disk\n');
    await waitLocal('c.txt', 'c: changed on the server\n');
    const tab = await waitFor(() => diffTab('a.txt'), `a tab "${DIFF_TITLE('a.txt')}"`);
    equal(tab.isActive, true, 'the conflict diff is the active tab');
    const input = tab.input as vscode.TabInputTextDiff;
    const remote = new TextDecoder().decode(await vscode.workspace.fs.readFile(input.original));
    equal(remote, 'a: changed on the server, longer\n', 'the left side (the server copy)');
    equal(input.modified.fsPath, join(WS(), 'a.txt'), 'the right side (the local file)');
    equal(readRemote('a.txt'), 'a: changed on the server, longer\n', 'the server copy of a.txt (not overwritten)');
    equal(readLocal('a.txt'), 'a: changed locally\n', 'the local a.txt (not overwritten)');
    await waitLog(/Bidirectional: Uploaded 1, downloaded 1, deleted 0, 1 conflict left/);
  }],

  ['flow 3: Keep Local → the server has the local content; a second Bidirectional has nothing to do', async () => {
    const tab = diffTab('a.txt');
    if (!tab) throw new Error('the conflict diff is not open');
    await vscode.commands.executeCommand('remoteSync.keepLocal');
    await waitRemote('a.txt', 'a: changed locally\n');
    await waitFor(() => !diffTab('a.txt'), 'the conflict diff to close');
    const mark = logText().length;
    await vscode.commands.executeCommand('remoteSync.bidirectional');
    await waitLog(/Bidirectional: Nothing to do: \d+ paths in sync/, mark);
  }],

  ['flow 4: saving a file that changed on the server → not overwritten, the conflict is offered', async () => {
    writeRemote('d.txt', 'd: changed on the server meanwhile\n');
    const mark = logText().length;
    await editAndSave('d.txt', 'd: my edit\n', true);
    await waitLog(/Not uploaded, conflict: d\.txt/, mark);
    equal(readRemote('d.txt'), 'd: changed on the server meanwhile\n', 'the server copy of d.txt (not overwritten)');
    equal(readLocal('d.txt'), 'd: my edit\n', 'the saved local d.txt');
    // the offered conflict is known to the extension: "Sync: Resolve Conflicts" opens its diff
    await vscode.commands.executeCommand('remoteSync.resolveConflicts');
    await waitFor(() => diffTab('d.txt'), `a tab "${DIFF_TITLE('d.txt')}"`);
  }],

  ['"Sync: Preview" lists the plan and changes nothing', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    writeLocal('notes/todo.md', '# todo\n');
    writeRemote('css/site.css', 'body { margin: 0; padding: 1em; }\n');
    rmSync(join(REMOTE(), 'old.txt'));
    const before = remoteFiles();
    const mark = logText().length;
    await vscode.commands.executeCommand('remoteSync.preview');
    await waitLog(/Preview: 5 actions/, mark);
    equal(remoteFiles(), before, 'the server after a preview');
    equal(readLocal('old.txt'), 'old: first version\n', 'the local old.txt after a preview');
  }],
];

export async function run(): Promise<void> {
  const failures: string[] = [];
  let failedBefore = false;
  for (const [name, fn] of tests) {
    if (failedBefore) { failures.push(`${name}: skipped (an earlier flow failed)`); console.log(`- skipped (an earlier flow failed): ${name}`); continue; }
    const t0 = Date.now();
    try {
      await fn();
      console.log(`✓ ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failedBefore = true; // the flows build on each other
      failures.push(`${name}: ${(e as Error).message}`);
      console.log(`✗ ${name} (${Date.now() - t0} ms)\n    ${(e as Error).stack ?? e}`);
      console.log(`    Remote Sync log (tail):\n${logText().split('\n').slice(-20).join('\n')}`);
    }
  }
  console.log(`[remote-sync suite] ${tests.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length) throw new Error(`${failures.length} flow(s) failed:\n${failures.join('\n')}`);
}
