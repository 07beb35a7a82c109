// A small stand-in for the `vscode` module: enough of the API for the extension to activate and run
// its flows in plain Node (tests only). It records what the extension shows, and lets a test answer
// notifications, input boxes and quick picks.
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  event = (l: Listener<T>) => { this.listeners.add(l); return { dispose: () => this.listeners.delete(l) }; };
  fire(e: T): void { for (const l of [...this.listeners]) l(e); }
  dispose(): void { this.listeners.clear(); }
}

export class Disposable {
  constructor(private readonly fn: () => void) {}
  dispose(): void { this.fn(); }
}

export class Uri {
  private constructor(readonly scheme: string, readonly authority: string, readonly path: string, readonly query: string, readonly fragment: string) {}
  static file(p: string): Uri { return new Uri('file', '', p, '', ''); }
  static from(c: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(c.scheme, c.authority ?? '', c.path ?? '', c.query ?? '', c.fragment ?? '');
  }
  static joinPath(u: Uri, ...parts: string[]): Uri { return u.with({ path: path.posix.join(u.path, ...parts) }); }
  with(c: { scheme?: string; path?: string; query?: string }): Uri {
    return new Uri(c.scheme ?? this.scheme, this.authority, c.path ?? this.path, c.query ?? this.query, this.fragment);
  }
  get fsPath(): string { return this.path; }
  toString(): string { return `${this.scheme}://${this.authority}${this.path}${this.query ? '?' + this.query : ''}`; }
}

export class RelativePattern { constructor(readonly base: unknown, readonly pattern: string) {} }
export class ThemeIcon { constructor(readonly id: string, readonly color?: unknown) {} }
export class ThemeColor { constructor(readonly id: string) {} }
export class TreeItem {
  description?: string; tooltip?: unknown; iconPath?: unknown; contextValue?: string; id?: string; command?: unknown;
  constructor(readonly label: string, readonly collapsibleState: number) {}
}
export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const FileType = { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 };
export const FilePermission = { Readonly: 1 };
export const FileChangeType = { Changed: 1, Created: 2, Deleted: 3 };
export class FileSystemError extends Error {
  constructor(msg: string, readonly code: string) { super(msg); }
  static FileNotFound(u?: unknown) { return new FileSystemError(`not found: ${String(u)}`, 'FileNotFound'); }
  static Unavailable(u?: unknown) { return new FileSystemError(`unavailable: ${String(u)}`, 'Unavailable'); }
  static NoPermissions(u?: unknown) { return new FileSystemError(`no permissions: ${String(u)}`, 'NoPermissions'); }
}
export class Range { constructor(readonly startLine: number, readonly startCharacter: number, readonly endLine: number, readonly endCharacter: number) {} }
export class CodeLens { constructor(readonly range: Range, readonly command?: { title: string; command: string; arguments?: unknown[] }) {} }
export class MarkdownString {
  isTrusted: unknown;
  constructor(public value = '', readonly supportThemeIcons = false) {}
  appendMarkdown(v: string): this { this.value += v; return this; }
}
export class TabInputTextDiff { constructor(readonly original: Uri, readonly modified: Uri) {} }
export class TabInputText { constructor(readonly uri: Uri) {} }

export interface Shown { type: 'info' | 'warning' | 'error'; text: string; items: string[]; modal: boolean }

/** what the fake editor recorded, and how the test answers */
export const host = {
  messages: [] as Shown[],
  /** answer a notification: return one of its items, or undefined to dismiss */
  answer: (_m: Shown): string | undefined => undefined,
  /**
   * the one-time question about a config that reaches outside its workspace (reachGate.ts) is answered
   * "Allow" without asking `answer`: the tests' "local" targets are folders beside the workspace, which
   * the gate asks about; config-reach.test.ts turns this off to test the question itself
   */
  allowReach: true,
  /** the user's settings (global scope), and a workspace's */
  settings: new Map<string, unknown>(),
  workspaceSettings: new Map<string, unknown>(),
  inputBox: (_prompt: string): string | undefined => undefined,
  quickPick: (items: Array<{ label: string }>): { label: string } | undefined => items[0],
  log: [] as string[],
  context: new Map<string, unknown>(),
  diffs: [] as Array<{ left: Uri; right: Uri; title: string }>,
  opened: [] as Uri[],
  commands: new Map<string, (...a: unknown[]) => unknown>(),
  providers: new Map<string, any>(),
  tree: undefined as any,
  codeLens: undefined as any,
  treeView: undefined as any,
  /** every tree view by id (the plan view is also `tree`), and the file decoration provider */
  views: new Map<string, any>(),
  decorations: undefined as any,
  statusItems: new Map<string, any>(),
  statusMessages: [] as string[],
  status: undefined as any,
  watchers: [] as Array<{ pattern?: unknown; change: EventEmitter<Uri>; create: EventEmitter<Uri>; delete: EventEmitter<Uri> }>,
  save: new EventEmitter<{ uri: Uri }>(),
  /** a document opened (download on open) */
  openDoc: new EventEmitter<{ uri: Uri; isDirty: boolean; version: number }>(),
  deleteFiles: new EventEmitter<{ files: Uri[] }>(),
  renameFiles: new EventEmitter<{ files: Array<{ oldUri: Uri; newUri: Uri }> }>(),
  folders: new EventEmitter<{ added: unknown[]; removed: unknown[] }>(),
  tabsChanged: new EventEmitter<unknown>(),
  activeTab: undefined as { input: unknown } | undefined,
  workspaceFolders: [] as Array<{ uri: Uri; name: string; index: number }>,
  reset(): void {
    this.messages = []; this.log = []; this.diffs = []; this.opened = []; this.commands.clear(); this.providers.clear();
    this.context.clear(); this.watchers = []; this.activeTab = undefined; this.tree = undefined; this.status = undefined;
    this.answer = () => undefined;
    this.settings.clear(); this.workspaceSettings.clear();
  },
};

function show(type: Shown['type']) {
  return (text: string, ...rest: unknown[]) => {
    let modal = false;
    if (rest.length && typeof rest[0] === 'object' && rest[0] !== null) modal = !!(rest.shift() as { modal?: boolean }).modal;
    const m: Shown = { type, text, items: rest as string[], modal };
    if (host.allowReach && modal && /reaches outside this workspace/.test(text)) return Promise.resolve(m.items[0]);
    host.messages.push(m);
    return Promise.resolve(host.answer(m));
  };
}

const logFn = (level: string) => (m: string) => {
  host.log.push(`${level} ${m}`);
  if (process.env.RS_LIVE_LOG) process.stderr.write(`[log] ${level} ${m}\n`);
};

export const window = {
  createOutputChannel: () => ({
    error: logFn('error'), warn: logFn('warn'), info: logFn('info'), debug: logFn('debug'), trace: logFn('trace'),
    appendLine: logFn('line'), show: () => undefined, dispose: () => undefined,
  }),
  showInformationMessage: show('info'),
  showWarningMessage: show('warning'),
  showErrorMessage: show('error'),
  showInputBox: (o: { prompt: string }) => Promise.resolve(host.inputBox(o.prompt)),
  showQuickPick: (items: Array<{ label: string }>) => Promise.resolve(host.quickPick(items)),
  withProgress: (_o: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) =>
    task({ report: () => undefined }, { onCancellationRequested: () => ({ dispose: () => undefined }) }),
  createStatusBarItem: (id?: string) => {
    const item = { text: '', tooltip: '', visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() {} };
    host.statusItems.set(id ?? '', item);
    if (id === 'remoteSync.serverChanges') return item;
    host.status = item;
    return host.status;
  },
  state: { focused: true },
  onDidChangeWindowState: new EventEmitter<{ focused: boolean }>().event,
  createTreeView: (id: string, o: { treeDataProvider: unknown }) => {
    const view = { selection: [] as unknown[], dispose() {} };
    host.views.set(id, o.treeDataProvider);
    if (id !== 'remoteSync.plan') return view;
    host.tree = o.treeDataProvider; host.treeView = view; return host.treeView;
  },
  registerFileDecorationProvider: (p: unknown) => { host.decorations = p; return new Disposable(() => { host.decorations = undefined; }); },
  tabGroups: {
    get all() { return [{ tabs: host.activeTab ? [host.activeTab] : [] }]; },
    get activeTabGroup() { return { activeTab: host.activeTab }; },
    onDidChangeTabs: host.tabsChanged.event,
    onDidChangeTabGroups: new EventEmitter().event,
    close: async (tabs: unknown[]) => {
      if (host.activeTab && tabs.includes(host.activeTab)) { host.activeTab = undefined; host.tabsChanged.fire({}); }
      return true;
    },
  },
  onDidChangeActiveTextEditor: new EventEmitter().event,
  activeTextEditor: undefined as unknown,
  showTextDocument: async (u: Uri | { uri: Uri }) => { host.opened.push(u instanceof Uri ? u : u.uri); return {}; },
  setStatusBarMessage: (text: string) => { host.statusMessages.push(text); return new Disposable(() => undefined); },
};

export const languages = {
  registerCodeLensProvider: (_selector: unknown, provider: unknown) => { host.codeLens = provider; return new Disposable(() => undefined); },
  setTextDocumentLanguage: async (doc: { uri: Uri; languageId: string }, languageId: string) => ({ ...doc, languageId }),
};

export const workspace = {
  get workspaceFolders() { return host.workspaceFolders; },
  /** settings: `host.settings` holds the user's (global) values, by full key ("remoteSync.trustedConfigs") */
  getConfiguration: (section = '') => ({
    get: (k: string, d?: unknown) => host.settings.get(section ? `${section}.${k}` : k) ?? d,
    inspect: (k: string) => ({ key: section ? `${section}.${k}` : k, globalValue: host.settings.get(section ? `${section}.${k}` : k), workspaceValue: host.workspaceSettings.get(section ? `${section}.${k}` : k) }),
  }),
  getWorkspaceFolder: (u: Uri) => host.workspaceFolders.find((f) => u.scheme === f.uri.scheme && (u.path === f.uri.path || u.path.startsWith(f.uri.path + '/'))),
  onDidChangeWorkspaceFolders: host.folders.event,
  onDidSaveTextDocument: host.save.event,
  onDidOpenTextDocument: host.openDoc.event,
  onDidDeleteFiles: host.deleteFiles.event,
  onDidRenameFiles: host.renameFiles.event,
  textDocuments: [] as unknown[],
  createFileSystemWatcher: (pattern?: unknown) => {
    const w = { pattern, change: new EventEmitter<Uri>(), create: new EventEmitter<Uri>(), delete: new EventEmitter<Uri>() };
    host.watchers.push(w);
    return { onDidCreate: w.create.event, onDidChange: w.change.event, onDidDelete: w.delete.event, dispose() {} };
  },
  registerFileSystemProvider: (scheme: string, p: unknown) => { host.providers.set(scheme, p); return new Disposable(() => host.providers.delete(scheme)); },
  openTextDocument: async (u: Uri) => ({ uri: u, languageId: 'jsonc', getText: () => readFileSync(u.fsPath, 'utf8') }),
  asRelativePath: (u: Uri | string) => {
    const p = typeof u === 'string' ? u : u.fsPath;
    const f = host.workspaceFolders.find((w) => p.startsWith(w.uri.fsPath + '/'));
    return f ? p.slice(f.uri.fsPath.length + 1) : p;
  },
  fs: {
    readFile: async (u: Uri) => new Uint8Array(readFileSync(u.fsPath)),
    stat: async (u: Uri) => { const s = statSync(u.fsPath); return { type: s.isDirectory() ? 2 : 1, size: s.size, mtime: s.mtimeMs, ctime: 0 }; },
    writeFile: async (u: Uri, data: Uint8Array) => { writeFileSync(u.fsPath, data); },
    createDirectory: async (u: Uri) => { mkdirSync(u.fsPath, { recursive: true }); },
    copy: async (a: Uri, b: Uri) => { copyFileSync(a.fsPath, b.fsPath); },
  },
};

export const commands = {
  registerCommand: (id: string, fn: (...a: unknown[]) => unknown) => { host.commands.set(id, fn); return new Disposable(() => host.commands.delete(id)); },
  executeCommand: async (id: string, ...args: unknown[]) => {
    if (id === 'setContext') { host.context.set(args[0] as string, args[1]); return; }
    if (id === 'vscode.diff') {
      const [left, right, title] = args as [Uri, Uri, string];
      host.diffs.push({ left, right, title });
      host.activeTab = { input: new TabInputTextDiff(left, right) };
      host.tabsChanged.fire({});
      return;
    }
    const fn = host.commands.get(id);
    return fn ? fn(...args) : undefined;
  },
};

export function makeContext() {
  const secrets = new Map<string, string>();
  const state = new Map<string, unknown>();
  return {
    subscriptions: [] as Array<{ dispose(): unknown }>,
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => { secrets.set(k, v); },
      delete: async (k: string) => { secrets.delete(k); },
      onDidChange: new EventEmitter().event,
    },
    workspaceState: { get: (k: string) => state.get(k), update: async (k: string, v: unknown) => { if (v === undefined) state.delete(k); else state.set(k, v); }, keys: () => [...state.keys()] },
    extension: { packageJSON: { version: '0.0.0-test' } },
    secretValues: secrets,
  };
}

/** the clipboard (Copy Path) */
export const env = { clipboard: { text: '', writeText: async (t: string) => { env.clipboard.text = t; } } };
