// REMOTE arguments and target URLs: a folder path, sftp://user@host[:port]/absolute/path,
// ftp://user[:password]@host[:port]/path, ftps://… (explicit TLS), file:///path.

import { homedir } from 'node:os';
import { isAbsolute, posix, resolve } from 'node:path';
import { SyncError } from '../errors.js';
import type { RemoteSpec } from '../types.js';
import { DEFAULT_PORTS } from './types.js';
import { redactSecrets } from '../redact.js';

/** "~" and "~/x" → the home folder; anything else unchanged */
export function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/') || p.startsWith('~\\')) return homedir() + p.slice(1);
  return p;
}

/** A path a person wrote: `~` expanded, relative paths resolved against `base`. */
export function resolveUserPath(p: string, base: string): string {
  const e = expandHome(p);
  return isAbsolute(e) ? resolve(e) : resolve(base, e);
}

export interface ParsedUrl {
  protocol: 'sftp' | 'ftp' | 'ftps' | 'local';
  host: string;
  /** undefined when the URL gives none */
  port?: number;
  user?: string;
  password?: string;
  /** decoded absolute path ("/" for the server root) */
  path: string;
}

/** A problem with a URL, phrased to follow the thing that names it ("REMOTE …", "targets.x.url …"). */
export class UrlProblem extends Error {}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

export function looksLikeUrl(s: string): boolean {
  return SCHEME.test(s);
}

function decode(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new UrlProblem(`has a bad percent-encoding in the ${what} (write a % as %25)`);
  }
}

/** Normalise a server path: "/a//b/./c/" → "/a/b/c"; root stays "/". */
export function normalizeServerPath(p: string): string {
  const n = posix.normalize('/' + p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export function parseRemoteUrl(url: string): ParsedUrl {
  const m = SCHEME.exec(url);
  if (!m) throw new UrlProblem('is not a URL (expected sftp://user@host/path, ftp://…, ftps://… or a folder path)');
  const scheme = m[1].toLowerCase();
  const rest = url.slice(m[0].length);
  if (scheme === 'ssh' || scheme === 'scp') {
    throw new UrlProblem(`uses ${scheme}://, which is not supported: write it as sftp://user@host/path`);
  }
  if (scheme === 'file') {
    const slash = rest.indexOf('/');
    const host = slash < 0 ? rest : rest.slice(0, slash);
    if (host !== '' && host !== 'localhost') throw new UrlProblem(`names a file:// host "${host}"; only local folders work: file:///path`);
    if (slash < 0) throw new UrlProblem('needs a folder path: file:///path/to/folder');
    if (/[?#]/.test(rest)) throw new UrlProblem('contains "?" or "#": percent-encode them in names (%3F, %23)');
    return { protocol: 'local', host: '', path: decode(rest.slice(slash), 'path') };
  }
  if (scheme !== 'sftp' && scheme !== 'ftp' && scheme !== 'ftps') {
    throw new UrlProblem(`uses an unsupported scheme "${scheme}://"; use sftp://, ftp://, ftps:// or a folder path`);
  }
  if (/[?#]/.test(rest)) throw new UrlProblem('contains "?" or "#": percent-encode them in names (%3F, %23)');

  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const rawPath = slash < 0 ? '' : rest.slice(slash);
  // the user part ends at the last "@", so an unencoded "@" in a password still works
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : authority.slice(0, at);
  const hostport = at < 0 ? authority : authority.slice(at + 1);

  let user: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon), 'user name');
    if (colon >= 0) password = decode(userinfo.slice(colon + 1), 'password');
    if (user === '') throw new UrlProblem('has an empty user name before "@"');
  }

  let host: string;
  let portText: string | undefined;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) throw new UrlProblem('has an unclosed "[" in the host (IPv6 addresses look like [::1])');
    host = hostport.slice(1, close);
    const after = hostport.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw new UrlProblem(`has unexpected text "${after}" after the IPv6 address`);
    if (after.startsWith(':')) portText = after.slice(1);
    if (!/^[0-9A-Fa-f:.]+(%[\w.-]+)?$/.test(host) || !host.includes(':')) throw new UrlProblem(`has a bad IPv6 address "[${host}]"`);
  } else {
    if (hostport.indexOf(':') !== hostport.lastIndexOf(':')) {
      throw new UrlProblem(`has an IPv6 address without brackets: write ${scheme}://[${hostport}]/path`);
    }
    const colon = hostport.lastIndexOf(':');
    host = colon < 0 ? hostport : hostport.slice(0, colon);
    if (colon >= 0) portText = hostport.slice(colon + 1);
    if (host !== '' && !/^[A-Za-z0-9._-]+$/.test(host)) throw new UrlProblem(`has a bad host name "${host}"`);
    host = host.toLowerCase();
  }
  if (host === '') throw new UrlProblem(`has no host name (expected ${scheme}://user@host/path)`);

  let port: number | undefined;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new UrlProblem(`has a bad port "${portText}" (a whole number from 1 to 65535)`);
  }
  if (rawPath === '') {
    throw new UrlProblem(`needs the folder on the server after the host, e.g. ${scheme}://user@example.com/var/www/site (use "/" for the top folder)`);
  }
  const path = normalizeServerPath(decode(rawPath, 'path'));
  return { protocol: scheme, host, port, user, password, path };
}

/** The default port for a protocol (FTPS implicit TLS listens on 990). */
export function defaultPort(protocol: 'sftp' | 'ftp' | 'ftps', ftpsImplicit = false): number {
  if (protocol === 'ftps' && ftpsImplicit) return DEFAULT_PORTS.ftpsImplicit;
  return DEFAULT_PORTS[protocol];
}

/**
 * A REMOTE (or LOCAL) command-line argument → RemoteSpec. A plain path is a local folder
 * (`~` expanded, relative to `cwd`). The port is always filled in, so the same server gives the
 * same state file however it was written. `ftpsImplicit` (--ftps-implicit) changes the default port.
 */
export function parseRemoteArg(arg: string, cwd: string, opts: { ftpsImplicit?: boolean } = {}): RemoteSpec {
  if (arg === '') throw new SyncError('usage', 'REMOTE is empty: give a folder path or a URL like sftp://user@host/path');
  if (!looksLikeUrl(arg)) {
    if (/^[^/\\\s]+@[^/\\:\s]+:/.test(arg)) {
      const m = /^([^@]+)@([^:]+):(.*)$/.exec(arg)!;
      const p = m[3].startsWith('/') ? m[3] : `/${m[3]}`;
      throw new SyncError('usage', redactSecrets(`"${arg}" looks like scp syntax: write it as sftp://${m[1]}@${m[2]}${p}`));
    }
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/(?!\/)/.test(arg) && !/^[A-Za-z]:[\\/]/.test(arg)) {
      throw new SyncError('usage', `"${redactSecrets(arg)}" is not a valid URL: write two slashes after the scheme, e.g. sftp://user@host/path`);
    }
    return { protocol: 'local', path: resolveUserPath(arg, cwd) };
  }
  let u: ParsedUrl;
  try {
    u = parseRemoteUrl(arg);
  } catch (e) {
    if (e instanceof UrlProblem) throw new SyncError('usage', `"${redactUrl(arg)}" ${e.message}`);
    throw e;
  }
  if (u.protocol === 'local') return { protocol: 'local', path: resolve(u.path) };
  const spec: RemoteSpec = {
    protocol: u.protocol,
    host: u.host,
    port: u.port ?? defaultPort(u.protocol, opts.ftpsImplicit),
    path: u.path,
  };
  if (u.user !== undefined) spec.user = u.user;
  if (u.password !== undefined) spec.password = u.password;
  if (u.protocol === 'sftp' && u.port === undefined) spec.portIsDefault = true;
  if (u.protocol === 'ftps' && opts.ftpsImplicit) spec.ftpsImplicit = true;
  return spec;
}

/** The URL with any password replaced by "***", for messages and logs. */
export function redactUrl(url: string): string {
  const m = SCHEME.exec(url);
  if (!m) return url;
  const rest = url.slice(m[0].length);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  if (at < 0) return url;
  const colon = authority.slice(0, at).indexOf(':');
  if (colon < 0) return url;
  return m[0] + authority.slice(0, colon) + ':***' + authority.slice(at) + (slash < 0 ? '' : rest.slice(slash));
}
