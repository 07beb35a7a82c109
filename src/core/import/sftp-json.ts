// vscode-sftp's `.vscode/sftp.json` → Remote Sync's `.vscode/remote-sync.json` (pure; used by the
// extension's "Sync: Import vscode-sftp Config" and by `remote-sync import-sftp-json`).
//
// One config or `profiles` become `targets` (+ `defaultTarget`); `context` becomes `localRoot`.
// A password or passphrase is handed back separately (the extension offers to keep it in its secret
// storage) and never written to the new file. Fields with no equivalent are listed in a comment at
// the top of the written file, each with what to do instead.

import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { SyncError } from '../errors.js';

export const SFTP_JSON_RELATIVE_PATH = '.vscode/sftp.json';

export interface ImportedSecret {
  /** the target (in the new file) the secret belongs to */
  target: string;
  kind: 'password' | 'passphrase';
  value: string;
}

export interface SftpImport {
  /** the text of the new remote-sync.json (JSON with a comment header) */
  text: string;
  /** the same, as an object */
  config: Record<string, unknown>;
  /** target names, in order; the default one first */
  targets: string[];
  secrets: ImportedSecret[];
  /** "field: what to do instead", also in the file's header */
  unsupported: string[];
}

type Obj = Record<string, unknown>;

/** fields that carry over (handled below); everything else is listed as not carried over */
const CONNECTION = new Set(['name', 'protocol', 'host', 'port', 'username', 'remotePath', 'privateKeyPath', 'agent', 'secure', 'passive', 'password', 'passphrase',
  'hop', 'sshConfigPath', 'algorithms', 'interactiveAuth', 'filePerm', 'dirPerm']);
const TOP = new Set(['context', 'uploadOnSave', 'ignore', 'syncOption', 'concurrency', 'profiles', 'defaultProfile', 'downloadOnOpen', 'ignoreFile']);

/** what to do instead, for the fields people use most */
const INSTEAD: Record<string, string> = {
  watcher: 'no file watcher carried over: add a "watch" setting with your "files" patterns to upload files changed outside the editor',
  remoteTimeOffsetInHours: 'not needed: each side is only compared with what that side reported at the last sync',
  'syncOption.skipCreate': 'not needed: the last-sync state decides',
  'syncOption.ignoreExisting': 'not needed: the last-sync state decides',
  'syncOption.update': 'not needed: the last-sync state decides',
  'syncOption.delete': '', // carried over (deletePropagation)
  connectTimeout: 'not supported',
  sshCustomParams: 'not supported',
  limitOpenFilesOnRemote: 'not needed',
  remoteExplorer: 'not needed: the Remote Sync: Server view (activity bar) lists the server, folders first',
  useTempFile: 'not needed: every upload goes to a temporary name and is renamed',
  openSsh: 'not needed',
};

function fail(file: string, message: string, hint?: string): never {
  throw new SyncError('config', `${file}: ${message}`, { path: file, hint });
}

/** a config that looks like vscode-sftp's (pasted into remote-sync.json, or sftp.json itself) */
export function looksLikeSftpJson(value: unknown): boolean {
  const one = Array.isArray(value) ? value[0] : value;
  if (typeof one !== 'object' || one === null || Array.isArray(one)) return false;
  const o = one as Obj;
  if ('targets' in o) return false;
  const hits = ['host', 'username', 'remotePath', 'protocol', 'privateKeyPath', 'context', 'profiles'].filter((k) => k in o);
  return hits.length >= 2 || 'username' in o || 'remotePath' in o || 'privateKeyPath' in o;
}

function parseText(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const value = parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) {
    const e = errors[0];
    const before = text.slice(0, e.offset).split('\n');
    fail(file, `line ${before.length}, column ${before[before.length - 1].length + 1}: ${printParseErrorCode(e.error)}`, 'Fix the JSON, then import again');
  }
  return value;
}

function str(o: Obj, key: string, file: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') fail(file, `${where}${key} must be a string (got ${JSON.stringify(v)})`);
  return v;
}

function targetName(raw: string, taken: Set<string>): string {
  let base = raw.trim() || 'default';
  if (base === '__proto__' || base === 'constructor') base = `${base}-target`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/** one vscode-sftp connection (base merged with a profile) → a Remote Sync target */
/** vscode-sftp's `hop`: one { host, port, username } or a list, first hop first → "user@host:port,…" */
function hopsOf(hop: unknown, file: string, where: string): string | undefined {
  if (hop === undefined) return undefined;
  const list = Array.isArray(hop) ? hop : [hop];
  return list.map((h, i) => {
    if (typeof h !== 'object' || h === null || typeof (h as Obj).host !== 'string' || !(h as Obj).host) {
      fail(file, `${where}hop${Array.isArray(hop) ? `[${i}]` : ''} must name a host`, 'e.g. "hop": { "host": "bastion", "username": "me" }');
    }
    const o = h as Obj;
    const user = typeof o.username === 'string' && o.username ? `${o.username}@` : '';
    const port = typeof o.port === 'number' || (typeof o.port === 'string' && o.port) ? `:${o.port}` : '';
    return `${user}${String(o.host)}${port}`;
  }).join(',');
}

/** vscode-sftp's `algorithms` (ssh2's lists) as they are, the kinds remote-sync knows */
function algorithmsOf(a: unknown): Obj | undefined {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return undefined;
  const out: Obj = {};
  for (const k of ['kex', 'cipher', 'serverHostKey', 'hmac']) {
    const v = (a as Obj)[k];
    if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string')) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** 644, "644" or "0644" → "644" */
function octalOf(v: unknown): string | undefined {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  return /^0?[0-7]{3}$/.test(text) ? text.replace(/^0(?=\d{3}$)/, '') : undefined;
}

function convertTarget(c: Obj, file: string, where: string, name: string, secrets: ImportedSecret[]): Obj {
  const host = str(c, 'host', file, where);
  if (!host) fail(file, `${where}host is missing`, 'vscode-sftp needs it too: add "host", then import again');
  const protocol = (str(c, 'protocol', file, where) ?? 'sftp').toLowerCase();
  if (protocol !== 'sftp' && protocol !== 'ftp') fail(file, `${where}protocol must be "sftp" or "ftp" (got "${protocol}")`);
  const t: Obj = { protocol, host };
  if (c.port !== undefined) {
    const port = typeof c.port === 'string' ? Number(c.port) : c.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) fail(file, `${where}port must be a whole number from 1 to 65535 (got ${JSON.stringify(c.port)})`);
    t.port = port;
  }
  const user = str(c, 'username', file, where);
  if (user) t.user = user;
  let remotePath = str(c, 'remotePath', file, where) ?? '/';
  if (!remotePath.startsWith('/')) remotePath = `/${remotePath}`;
  t.remotePath = remotePath;
  if (protocol === 'sftp') {
    const key = str(c, 'privateKeyPath', file, where);
    if (key) t.privateKey = key;
    if (typeof c.agent === 'boolean') t.agent = c.agent;
    else if (typeof c.agent === 'string' && c.agent) {
      // "$SSH_AUTH_SOCK" / "${env:SSH_AUTH_SOCK}": the default agent
      t.agent = /SSH_AUTH_SOCK/.test(c.agent) ? true : c.agent;
    }
    const sshConfig = str(c, 'sshConfigPath', file, where);
    if (sshConfig) t.sshConfig = sshConfig;
    const jump = hopsOf(c.hop, file, where);
    if (jump) t.jump = jump;
    const algorithms = algorithmsOf(c.algorithms);
    if (algorithms) t.algorithms = algorithms;
    // interactiveAuth: nothing to carry over, the server's prompts are always shown
  } else {
    const secure = c.secure;
    if (secure === true || secure === 'control') t.secure = 'explicit';
    else if (secure === 'implicit') t.secure = 'implicit';
    else if (secure === false || secure === undefined) t.secure = false;
    else fail(file, `${where}secure must be true, false, "control" or "implicit" (got ${JSON.stringify(secure)})`);
    if (typeof c.passive === 'boolean') t.passive = c.passive;
  }
  const permissions: Obj = {};
  for (const [from, to] of [['filePerm', 'file'], ['dirPerm', 'dir']] as const) {
    const mode = c[from] === undefined ? undefined : octalOf(c[from]);
    if (c[from] !== undefined && mode === undefined) fail(file, `${where}${from} must be a mode such as 644 or "0644" (got ${JSON.stringify(c[from])})`);
    if (mode) permissions[to] = mode;
  }
  if (Object.keys(permissions).length) t.permissions = permissions;
  const password = str(c, 'password', file, where);
  if (password) secrets.push({ target: name, kind: 'password', value: password });
  const passphrase = c.passphrase;
  if (typeof passphrase === 'string' && passphrase && protocol === 'sftp') secrets.push({ target: name, kind: 'passphrase', value: passphrase });
  return t;
}

function unsupportedOf(o: Obj, prefix: string, out: string[]): void {
  for (const [k, v] of Object.entries(o)) {
    const key = `${prefix}${k}`;
    if (k === 'syncOption' && typeof v === 'object' && v !== null) {
      for (const sk of Object.keys(v as Obj)) if (sk !== 'delete') out.push(`${key}.${sk}: ${INSTEAD[`syncOption.${sk}`] || 'not supported'}`);
      continue;
    }
    if (CONNECTION.has(k) || TOP.has(k)) continue;
    if (k === 'passphrase' && typeof v === 'boolean') continue;
    out.push(`${key}: ${INSTEAD[k] || 'not supported'}`);
  }
}

/**
 * Convert the text of an sftp.json. `file` names it in errors. Throws a SyncError('config') that
 * names the field for input that cannot be converted (no host, a bad port, broken JSON).
 */
export function convertSftpJson(text: string, file = SFTP_JSON_RELATIVE_PATH): SftpImport {
  const value = parseText(text, file);
  let configs: Obj[];
  if (Array.isArray(value)) configs = value.filter((v): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v));
  else if (typeof value === 'object' && value !== null) configs = [value as Obj];
  else fail(file, 'is not a JSON object', 'vscode-sftp writes an object like { "host": …, "remotePath": … }');
  if (!configs.length) fail(file, 'holds no configuration');

  const unsupported: string[] = [];
  const secrets: ImportedSecret[] = [];
  const first = configs[0];
  const context = typeof first.context === 'string' && first.context.trim() ? first.context.trim() : '.';
  for (const [i, extra] of configs.slice(1).entries()) {
    const ctx = typeof extra.context === 'string' ? extra.context : '.';
    unsupported.push(`[${i + 1}] (a second configuration, context "${ctx}"): one remote-sync.json has one localRoot; ` +
      'import it into that folder\'s own .vscode/remote-sync.json');
  }
  unsupportedOf(first, '', unsupported);

  const taken = new Set<string>();
  const targets: Obj = {};
  const names: string[] = [];
  const base: Obj = { ...first };
  delete base.profiles;
  const profiles = first.profiles;
  let defaultTarget: string | undefined;
  if (profiles !== undefined && (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles))) {
    fail(file, 'profiles must be an object of named profiles');
  }
  const profileEntries = Object.entries((profiles ?? {}) as Obj);
  if (profileEntries.length) {
    for (const [pname, p] of profileEntries) {
      if (typeof p !== 'object' || p === null || Array.isArray(p)) fail(file, `profiles.${pname} must be an object`);
      unsupportedOf(p as Obj, `profiles.${pname}.`, unsupported);
      const name = targetName(pname, taken);
      names.push(name);
      targets[name] = convertTarget({ ...base, ...(p as Obj) }, file, `profiles.${pname}: `, name, secrets);
      if (pname === first.defaultProfile) defaultTarget = name;
    }
    if (typeof first.defaultProfile === 'string' && !defaultTarget) {
      unsupported.push(`defaultProfile: "${first.defaultProfile}" is not one of the profiles; the first one is the default`);
    }
    defaultTarget ??= names[0];
  } else {
    const name = targetName(typeof first.name === 'string' && first.name ? first.name : 'default', taken);
    names.push(name);
    targets[name] = convertTarget(base, file, '', name, secrets);
    defaultTarget = name;
  }

  const config: Obj = { targets, defaultTarget };
  if (context !== '.') config.localRoot = context.replace(/^\.\//, '').replace(/\/+$/, '') || '.';
  if (typeof first.uploadOnSave === 'boolean') config.uploadOnSave = first.uploadOnSave;
  if (first.downloadOnOpen === true || first.downloadOnOpen === 'confirm') config.downloadOnOpen = true;
  if (Array.isArray(first.ignore)) {
    const patterns = first.ignore.filter((p): p is string => typeof p === 'string' && p.trim() !== '');
    if (patterns.length) config.ignore = patterns;
  }
  if (typeof first.ignoreFile === 'string' && first.ignoreFile.trim()) {
    // remote-sync reads ignore files by name in every folder (gitignore semantics)
    const name = first.ignoreFile.trim().replace(/^.*[\\/]/, '');
    config.ignoreFiles = [name];
    if (name !== first.ignoreFile.trim()) unsupported.push(`ignoreFile: "${first.ignoreFile}" is read as "${name}" in every folder ("ignoreFiles")`);
  }
  const syncOption = first.syncOption as Obj | undefined;
  if (syncOption && typeof syncOption.delete === 'boolean') config.deletePropagation = syncOption.delete;
  if (typeof first.concurrency === 'number' && Number.isFinite(first.concurrency)) {
    const n = Math.round(first.concurrency);
    config.concurrency = Math.min(32, Math.max(1, n));
    if (n > 32 || n < 1) unsupported.push(`concurrency: ${first.concurrency} is outside 1–32; ${config.concurrency} is used`);
  }

  const ordered = [defaultTarget, ...names.filter((n) => n !== defaultTarget)];
  return { text: renderText(config, file, unsupported, secrets), config, targets: ordered, secrets, unsupported };
}

function renderText(config: Obj, file: string, unsupported: string[], secrets: ImportedSecret[]): string {
  const lines = [
    `// Remote Sync settings, imported from ${file} (vscode-sftp).`,
    '// Read by the VS Code extension and by `remote-sync run`. Passwords and passphrases never go in this',
    '// file: VS Code keeps them in its secret storage ("Sync: Set Password"); the CLI uses',
    '// REMOTE_SYNC_PASSWORD, ~/.netrc or asks.',
  ];
  if (secrets.length) {
    lines.push(`// ${file} holds ${secrets.map((s) => `a ${s.kind} for "${s.target}"`).join(', ')}: not copied here.`);
  }
  if (unsupported.length) {
    lines.push('//', '// Not carried over (no equivalent in Remote Sync):');
    for (const u of unsupported) lines.push(`//   - ${u}`);
  }
  return `${lines.join('\n')}\n${JSON.stringify(config, null, 2)}\n`;
}

/** where the converted file goes: `.vscode/remote-sync.json` beside a `.vscode/sftp.json`, else below `cwd` */
export function importDestination(sftpFile: string, cwd: string): string {
  const dir = dirname(sftpFile);
  return basename(dir) === '.vscode' ? join(dir, 'remote-sync.json') : join(cwd, '.vscode', 'remote-sync.json');
}

/** the nearest `.vscode/sftp.json` in `startDir` or a folder above it */
export function findSftpJson(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, SFTP_JSON_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
