// Parsing and validating `.vscode/remote-sync.json` (JSON with comments). Every error names the
// field, what is wrong, how to fix it, and where it is (file:line:column).

import { dirname, basename, resolve } from 'node:path';
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { ResolveStrategy } from '../types.js';
import { parseJump } from '../targets/ssh/jump-spec.js';
import { ConfigError, JsonFields, fieldName, parseMaxDelete, shown, type Prop } from './json-fields.js';
import { parseRemoteUrl, resolveUserPath, defaultPort, normalizeServerPath, UrlProblem } from './remote-url.js';
import { didYouMean } from './suggest.js';
import { parseMergeBase } from './merge-base.js';
import { ignoreFileNames, parseAlgorithms, parsePermissions, parseTlsFingerprintField } from './field-parsers.js';
import type { ProjectConfig, TargetConfig } from './types.js';
import { parseBandwidth } from '../transfer/bandwidth.js';
import { TRANSFER_ORDERS } from '../transfer/schedule.js';
import { VERIFY_MODES } from '../transfer/copy.js';
import { parseSize } from '../transfer/resume.js';
import { isGroupNode, parseGroup, checkGroupMembers } from '../groups/index.js';

export { ConfigError, parseMaxDelete };

export const TOP_LEVEL_FIELDS = [
  '$schema', 'targets', 'defaultTarget', 'localRoot', 'uploadOnSave', 'ignore', 'match',
  'conflictPolicy', 'concurrency', 'deletePropagation', 'maxDelete', 'idleTimeoutSeconds', 'ignoreFiles',
  'timeoutSeconds', 'bandwidthLimit', 'transferOrder', 'verify', 'resumeAbove', 'mergeBase', 'downloadOnOpen', 'watchServer', 'downloadServerChanges', 'watch',
] as const;

export const WATCH_INTERVAL_RANGE = { min: 10, max: 86400 } as const;
export const DOWNLOAD_SERVER_CHANGES = ['auto', 'ask', 'off'] as const;

export const TARGET_FIELDS = [
  'url', 'protocol', 'host', 'port', 'user', 'remotePath',
  'privateKey', 'agent', 'knownHosts', 'sshConfig', 'jump', 'algorithms', 'sshCommands',
  'secure', 'passive', 'allowSelfSignedCertificate',
  'tlsFingerprint',
  'permissions', 'preserveMode',
] as const;

export const RESOLVE_STRATEGIES: readonly ResolveStrategy[] = ['ask', 'skip', 'local', 'remote', 'new', 'old', 'merge'];
export const TARGET_PROTOCOLS = ['sftp', 'ftp', 'ftps', 'local'] as const;
const HOST_FORM = ['protocol', 'host', 'port', 'user', 'remotePath'] as const;
const SFTP_ONLY = ['privateKey', 'agent', 'knownHosts', 'sshConfig', 'jump', 'algorithms', 'sshCommands'] as const;
const FTP_ONLY = ['secure', 'passive', 'allowSelfSignedCertificate', 'tlsFingerprint'] as const;

/** no default here: without a value each protocol uses its own (SFTP 32 requests in flight on one connection, FTP 8 connections) */
export const CONCURRENCY_RANGE = { min: 1, max: 32 } as const;
export const IDLE_TIMEOUT_RANGE = { min: 1, max: 86400, default: 300 } as const;
export const TIMEOUT_RANGE = { min: 1, max: 3600, default: 30 } as const;

/** names people bring from other tools (vscode-sftp's sftp.json, pyftpsync) */
const ALIASES: Record<string, string> = {
  username: 'user', privateKeyPath: 'privateKey', context: 'localRoot', remote: 'url',
  type: 'protocol', ignoreFile: 'ignoreFiles', exclude: 'ignore', default: 'defaultTarget', proxyJump: 'jump', hop: 'jump', sshConfigPath: 'sshConfig',
};

const SECRET_KEYS = new Set(['password', 'passphrase', 'passwd', 'pass']);
const SECRET_HINT =
  'Secrets never live in this file: the CLI reads REMOTE_SYNC_PASSWORD / REMOTE_SYNC_PASSPHRASE, ~/.netrc, ' +
  'or asks on the terminal; VS Code asks once and keeps it in its secret storage ("Sync: Set Password")';

const PARSE_PROBLEMS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'badly formed number',
  PropertyNameExpected: 'a property name in double quotes is expected here',
  ValueExpected: 'a value is expected here',
  ColonExpected: 'a ":" is expected here',
  CommaExpected: 'a "," is expected here',
  CloseBraceExpected: 'a closing "}" is expected here',
  CloseBracketExpected: 'a closing "]" is expected here',
  EndOfFileExpected: 'unexpected text after the end of the settings object',
  InvalidCommentToken: 'badly formed comment',
  UnexpectedEndOfComment: 'a comment is not closed (missing "*/")',
  UnexpectedEndOfString: 'a string is not closed (missing ")',
  UnexpectedEndOfNumber: 'a number is cut off',
  InvalidUnicode: 'bad \\u escape in a string',
  InvalidEscapeCharacter: 'bad escape character in a string (write a backslash as \\\\)',
  InvalidCharacter: 'a string contains a control character (a line break inside quotes?)',
};

/** The folder that contains `.vscode` (for a file elsewhere: its own folder). */
export function workspaceRootOf(file: string): string {
  const dir = dirname(resolve(file));
  return basename(dir) === '.vscode' ? dirname(dir) : dir;
}

/** Parse and validate the text of a config file; throws ConfigError (a SyncError 'config'). */
export function parseConfigText(text: string, file: string): ProjectConfig {
  const j = new JsonFields(text, file);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  if (errors.length) {
    const e = errors[0];
    const code = printParseErrorCode(e.error);
    throw j.error({ offset: e.offset, length: e.length, type: 'null' }, '', `not valid JSON: ${PARSE_PROBLEMS[code] ?? code}`);
  }
  if (!root) throw j.error(undefined, '', 'is empty: it needs at least { "targets": { … } }', 'Run "Sync: Create Config" for a starter file');
  refuseSecrets(j, root, '');

  const workspaceRoot = workspaceRootOf(file);
  const top = j.props(root, '', TOP_LEVEL_FIELDS, (key) => {
    if (ALIASES[key]) return `is not a known setting (did you mean "${ALIASES[key]}"?)`;
    if ((TARGET_FIELDS as readonly string[]).includes(key)) {
      return `is a target setting: put it inside a target, e.g. "targets": { "production": { "${key}": … } }`;
    }
    return undefined;
  });

  const config: ProjectConfig = {
    file: resolve(file),
    workspaceRoot,
    localRoot: workspaceRoot,
    targets: {},
    defaultTarget: '',
    uploadOnSave: false,
    downloadOnOpen: false,
    downloadServerChanges: 'off',
    ignore: [],
    conflictPolicy: 'ask',
    deletePropagation: false,
    idleTimeoutSeconds: IDLE_TIMEOUT_RANGE.default,
    timeoutSeconds: TIMEOUT_RANGE.default,
  };

  const get = (k: (typeof TOP_LEVEL_FIELDS)[number]) => top.get(k);
  let p: Prop | undefined;
  if ((p = get('$schema'))) j.str(p, '$schema');
  if ((p = get('localRoot'))) config.localRoot = resolveUserPath(j.str(p, 'localRoot', { nonEmpty: true }), workspaceRoot);
  if ((p = get('uploadOnSave'))) config.uploadOnSave = j.bool(p, 'uploadOnSave');
  if ((p = get('downloadOnOpen'))) config.downloadOnOpen = j.bool(p, 'downloadOnOpen');
  if ((p = get('downloadServerChanges'))) config.downloadServerChanges = j.oneOf(p, 'downloadServerChanges', DOWNLOAD_SERVER_CHANGES);
  if ((p = get('watch'))) {
    const w = j.props(p.value, 'watch', ['files', 'upload', 'delete']);
    const files = w.get('files');
    if (!files) throw j.error(p.value, 'watch', 'needs "files", the patterns to watch, e.g. "watch": { "files": ["dist/**"] }');
    const globs = j.globs(files, 'watch.files');
    if (!globs.length) throw j.error(files.value, 'watch.files', 'must name at least one pattern, e.g. ["dist/**"]');
    const up = w.get('upload');
    const del = w.get('delete');
    config.watch = { files: globs, upload: up ? j.bool(up, 'watch.upload') : true, delete: del ? j.bool(del, 'watch.delete') : false };
  }
  if ((p = get('watchServer'))) {
    const w = j.props(p.value, 'watchServer', ['intervalSeconds']);
    const i = w.get('intervalSeconds');
    if (!i) throw j.error(p.value, 'watchServer', 'needs "intervalSeconds", e.g. "watchServer": { "intervalSeconds": 60 }');
    config.watchServer = { intervalSeconds: j.int(i, 'watchServer.intervalSeconds', WATCH_INTERVAL_RANGE.min, WATCH_INTERVAL_RANGE.max) };
  }
  if ((p = get('deletePropagation'))) config.deletePropagation = j.bool(p, 'deletePropagation');
  if ((p = get('ignore'))) config.ignore = j.globs(p, 'ignore');
  if ((p = get('match'))) config.match = j.globs(p, 'match');
  if ((p = get('ignoreFiles'))) config.ignoreFiles = ignoreFileNames(j, p);
  if ((p = get('conflictPolicy'))) config.conflictPolicy = j.oneOf(p, 'conflictPolicy', RESOLVE_STRATEGIES);
  if ((p = get('concurrency'))) config.concurrency = j.int(p, 'concurrency', CONCURRENCY_RANGE.min, CONCURRENCY_RANGE.max);
  if ((p = get('idleTimeoutSeconds'))) {
    config.idleTimeoutSeconds = j.int(p, 'idleTimeoutSeconds', IDLE_TIMEOUT_RANGE.min, IDLE_TIMEOUT_RANGE.max);
  }
  if ((p = get('timeoutSeconds'))) config.timeoutSeconds = j.int(p, 'timeoutSeconds', TIMEOUT_RANGE.min, TIMEOUT_RANGE.max);
  if ((p = get('bandwidthLimit'))) {
    const text = j.str(p, 'bandwidthLimit', { nonEmpty: true });
    try { parseBandwidth(text, 'bandwidthLimit'); } catch (e) {
      throw j.error(p.value, 'bandwidthLimit', `must be a rate such as "512K" or "2M" (per second), "off", or a timetable such as "08:00,512K 19:00,off" (got ${shown(p.value)})`);
    }
    config.bandwidthLimit = text;
  }
  if ((p = get('transferOrder'))) config.transferOrder = j.oneOf(p, 'transferOrder', TRANSFER_ORDERS);
  if ((p = get('verify'))) config.verify = j.oneOf(p, 'verify', VERIFY_MODES);
  if ((p = get('resumeAbove'))) {
    const v = p.value.type === 'number' && Number.isInteger(p.value.value) && p.value.value >= 0 ? p.value.value as number
      : p.value.type === 'string' ? parseSize(String(p.value.value)) : undefined;
    if (v === undefined) throw j.error(p.value, 'resumeAbove', `must be a size such as "8MB" or "512K", a number of bytes, or "off" (got ${shown(p.value)})`);
    config.resumeAbove = v;
  }
  if ((p = get('mergeBase'))) config.mergeBase = parseMergeBase(j, p);
  if ((p = get('maxDelete'))) {
    const v = parseMaxDelete(p.value.value);
    if (v === undefined || (p.value.type !== 'number' && p.value.type !== 'string')) {
      throw j.error(p.value, 'maxDelete', `must be a number of files (e.g. 100) or a percentage of a side's files (e.g. "50%") (got ${shown(p.value)})`);
    }
    config.maxDelete = v;
  }

  const targetsProp = get('targets');
  if (!targetsProp) {
    throw j.error(root, 'targets', 'is missing: add at least one target, e.g. "targets": { "production": { "url": "sftp://user@example.com/var/www/site" } }');
  }
  if (targetsProp.value.type !== 'object') throw j.error(targetsProp.value, 'targets', `must be an object of named targets (got ${shown(targetsProp.value)})`);
  const seen = new Set<string>();
  const groupNodes: Record<string, Node> = {};
  for (const t of targetsProp.value.children ?? []) {
    const [keyNode, value] = t.children ?? [];
    if (!keyNode || !value) continue;
    const name = String(keyNode.value);
    const field = fieldName('targets', name);
    if (name.trim() === '') throw j.error(keyNode, field, 'has an empty target name: give it a name like "production"');
    if (seen.has(name)) throw j.error(keyNode, field, 'is given twice: target names must be unique');
    seen.add(name);
    if (isGroupNode(value)) {
      (config.groups ??= {})[name] = parseGroup(j, name, value);
      groupNodes[name] = value.children?.find((c) => c.children?.[0]?.value === 'group')?.children?.[1] ?? value;
      continue;
    }
    config.targets[name] = parseTarget(j, name, value, workspaceRoot);
  }
  const targetNames = Object.keys(config.targets);
  if (config.groups) checkGroupMembers(j, config.groups, targetNames, groupNodes);
  const names = [...targetNames, ...Object.keys(config.groups ?? {})];
  if (targetNames.length === 0) {
    throw j.error(targetsProp.value, 'targets', 'is empty: add at least one target, e.g. "production": { "url": "sftp://user@example.com/var/www/site" }');
  }

  const dt = get('defaultTarget');
  if (dt) {
    const name = j.str(dt, 'defaultTarget', { nonEmpty: true });
    if (!config.targets[name] && !config.groups?.[name]) {
      throw j.error(dt.value, 'defaultTarget', `names no target: "${name}" is not in targets${didYouMean(name, names)}`,
        `Targets: ${names.join(', ')}`);
    }
    config.defaultTarget = name;
  } else if (names.length > 1) {
    throw j.error(root, 'defaultTarget', `is required when there is more than one target: add "defaultTarget": "${names[0]}" (one of ${names.map((n) => `"${n}"`).join(', ')})`);
  } else {
    config.defaultTarget = names[0];
  }
  return config;
}

function refuseSecrets(j: JsonFields, node: Node, field: string): void {
  if (node.type === 'object') {
    for (const p of node.children ?? []) {
      const [keyNode, value] = p.children ?? [];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      const name = fieldName(field, key);
      if (SECRET_KEYS.has(key.toLowerCase())) {
        throw j.error(keyNode, name, `is not allowed: a ${key.toLowerCase() === 'passphrase' ? 'key passphrase' : 'password'} must not be stored in the config file`, SECRET_HINT);
      }
      if (value) refuseSecrets(j, value, name);
    }
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((c, i) => refuseSecrets(j, c, `${field}[${i}]`));
  }
}

function parseTarget(j: JsonFields, name: string, node: Node, workspaceRoot: string): TargetConfig {
  const base = fieldName('targets', name);
  const props = j.props(node, base, TARGET_FIELDS, (key) => {
    if (ALIASES[key]) return `is not a known setting (did you mean "${ALIASES[key]}"?)`;
    if ((TOP_LEVEL_FIELDS as readonly string[]).includes(key)) return 'is a top-level setting: move it out of the target, next to "targets"';
    return undefined;
  });
  const f = (k: string) => fieldName(base, k);
  const get = (k: (typeof TARGET_FIELDS)[number]) => props.get(k);
  let p: Prop | undefined;

  const t: TargetConfig = { name, protocol: 'sftp', host: '', remotePath: '/', secure: false, passive: true, allowSelfSignedCertificate: false };
  let portGiven: number | undefined;
  const urlProp = get('url');
  if (urlProp) {
    const url = j.str(urlProp, f('url'), { nonEmpty: true });
    for (const k of HOST_FORM) {
      const other = props.get(k);
      if (other) throw j.error(other.keyNode, f(k), 'cannot be used together with "url": give either "url" or protocol/host/port/user/remotePath');
    }
    let u;
    try {
      u = parseRemoteUrl(url);
    } catch (e) {
      if (e instanceof UrlProblem) throw j.error(urlProp.value, f('url'), `${e.message}`);
      throw e;
    }
    if (u.password !== undefined) {
      throw j.error(urlProp.value, f('url'), 'must not contain a password: remove ":password" from the URL', SECRET_HINT);
    }
    t.url = url;
    t.protocol = u.protocol;
    t.host = u.host;
    portGiven = u.port;
    if (u.user !== undefined) t.user = u.user;
    t.remotePath = u.protocol === 'local' ? resolve(u.path) : u.path;
  } else {
    if ((p = get('protocol'))) t.protocol = j.oneOf(p, f('protocol'), TARGET_PROTOCOLS);
    const hostProp = get('host');
    if (t.protocol === 'local') {
      for (const k of ['host', 'port', 'user'] as const) {
        const other = props.get(k);
        if (other) throw j.error(other.keyNode, f(k), 'is not used by a "local" target (a folder on this machine): remove it');
      }
    } else {
      if (!hostProp) {
        throw j.error(node, base, 'needs either "url" or "host", e.g. "url": "sftp://deploy@example.com/var/www/site"');
      }
      let host = j.str(hostProp, f('host'), { nonEmpty: true }).trim();
      if (/^\[.*\]$/.test(host)) host = host.slice(1, -1);
      if (/[\s/@]/.test(host) || /^[a-z]+:\/\//i.test(host)) {
        throw j.error(hostProp.value, f('host'), `must be a host name or address only, e.g. "example.com" (got ${shown(hostProp.value)}); the folder goes in "remotePath", the user in "user"`);
      }
      t.host = host.includes(':') ? host : host.toLowerCase();
      if ((p = get('port'))) portGiven = j.int(p, f('port'), 1, 65535);
      if ((p = get('user'))) t.user = j.str(p, f('user'), { nonEmpty: true });
    }
    const rp = get('remotePath');
    if (!rp) {
      const eg = t.protocol === 'local' ? '"/srv/mirror"' : '"/var/www/site"';
      throw j.error(node, f('remotePath'), `is required: the folder on the ${t.protocol === 'local' ? 'other side' : 'server'}, e.g. ${eg}`);
    }
    const path = j.str(rp, f('remotePath'), { nonEmpty: true });
    if (t.protocol === 'local') {
      t.remotePath = resolveUserPath(path, workspaceRoot);
    } else {
      if (!path.startsWith('/')) {
        throw j.error(rp.value, f('remotePath'), `must be an absolute folder on the server, starting with "/" (got ${shown(rp.value)})`);
      }
      t.remotePath = normalizeServerPath(path);
    }
  }

  const isFtp = t.protocol === 'ftp' || t.protocol === 'ftps';
  for (const k of SFTP_ONLY) {
    const o = props.get(k);
    if (o && t.protocol !== 'sftp') throw j.error(o.keyNode, f(k), `is only for SFTP targets (this target uses ${t.protocol}): remove it`);
  }
  for (const k of FTP_ONLY) {
    const o = props.get(k);
    if (o && !isFtp) throw j.error(o.keyNode, f(k), `is only for FTP/FTPS targets (this target uses ${t.protocol}): remove it`);
  }
  if ((p = get('privateKey'))) t.privateKey = j.str(p, f('privateKey'), { nonEmpty: true });
  if ((p = get('knownHosts'))) t.knownHosts = j.str(p, f('knownHosts'), { nonEmpty: true });
  if ((p = get('agent'))) {
    if (p.value.type === 'boolean') t.agent = p.value.value as boolean;
    else if (p.value.type === 'string' && (p.value.value as string).trim() !== '') t.agent = p.value.value as string;
    else throw j.error(p.value, f('agent'), `must be true (use SSH_AUTH_SOCK), false (no agent) or the path of an agent socket (got ${shown(p.value)})`);
  }
  if ((p = get('sshConfig'))) t.sshConfig = j.str(p, f('sshConfig'), { nonEmpty: true });
  if ((p = get('jump'))) {
    t.jump = j.str(p, f('jump'), { nonEmpty: true }).trim();
    try { parseJump(t.jump); } catch (e) { throw j.error(p.value, f('jump'), `${(e as Error).message.replace(/^Bad jump host/, 'has a bad jump host')}: write [user@]host[:port], several separated by commas`); }
  }
  if ((p = get('algorithms'))) t.algorithms = parseAlgorithms(j, p, f('algorithms'));
  if ((p = get('sshCommands'))) t.sshCommands = j.bool(p, f('sshCommands'));
  if ((p = get('passive'))) t.passive = j.bool(p, f('passive'));
  if ((p = get('allowSelfSignedCertificate'))) t.allowSelfSignedCertificate = j.bool(p, f('allowSelfSignedCertificate'));
  if ((p = get('tlsFingerprint'))) t.tlsFingerprint = parseTlsFingerprintField(j, p, f('tlsFingerprint'));
  if ((p = get('permissions'))) {
    if (t.protocol === 'local') throw j.error(p.keyNode, f('permissions'), 'is for SFTP and FTP targets (modes of new files on the server): remove it');
    t.permissions = parsePermissions(j, p, f('permissions'));
  }
  if ((p = get('preserveMode'))) t.preserveMode = j.bool(p, f('preserveMode'));

  let secure: false | 'explicit' | 'implicit' | undefined;
  if ((p = get('secure'))) {
    if (p.value.type === 'boolean' && p.value.value === false) secure = false;
    else if (p.value.type === 'string' && (p.value.value === 'explicit' || p.value.value === 'implicit')) secure = p.value.value;
    else {
      throw j.error(p.value, f('secure'), `must be false (plain FTP), "explicit" (TLS via AUTH TLS, usually port 21) or "implicit" (TLS from the start, usually port 990) (got ${shown(p.value)})`);
    }
    if (secure === false && t.protocol === 'ftps') {
      throw j.error(p.value, f('secure'), 'is false but the protocol is ftps: use protocol "ftp" (or an ftp:// URL) for plain FTP, or remove "secure"');
    }
  }
  if (isFtp) {
    t.secure = secure ?? (t.protocol === 'ftps' ? 'explicit' : false);
    t.protocol = t.secure ? 'ftps' : 'ftp';
  }
  if (t.protocol !== 'local') t.port = portGiven ?? defaultPort(t.protocol, t.secure === 'implicit');
  if (t.protocol === 'sftp' && portGiven === undefined) t.portIsDefault = true;
  return t;
}
