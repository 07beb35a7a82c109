// The jump-host setting ("jump", --jump, ProxyJump): [user@]host[:port], several separated by commas.
import { SyncError } from '../../errors.js';

export interface Hop {
  user?: string;
  host: string;
  /** undefined: 22, or what the ssh config says */
  port?: number;
  /** as written, for messages */
  text: string;
}

/** "user@bastion:22", "a,b:2222", "ssh://u@[::1]:22"; "none" (or empty) → no hops */
export function parseJump(value: string): Hop[] {
  const v = value.trim();
  if (v === '' || v.toLowerCase() === 'none') return [];
  return v.split(',').map((raw) => {
    const text = raw.trim();
    let rest = text.replace(/^ssh:\/\//i, '').replace(/\/$/, '');
    let user: string | undefined;
    const at = rest.lastIndexOf('@');
    if (at >= 0) { user = decodeURIComponent(rest.slice(0, at)); rest = rest.slice(at + 1); }
    let host = rest;
    let portText: string | undefined;
    const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
    if (v6) { host = v6[1]; portText = v6[2]; } else if (rest.split(':').length === 2) { [host, portText] = rest.split(':'); }
    const port = portText === undefined ? undefined : /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!host || (!v6 && !/^[A-Za-z0-9._-]+$/.test(host)) || (port !== undefined && !(port >= 1 && port <= 65535)) || user === '') {
      throw new SyncError('usage', `Bad jump host "${text}"`, { hint: 'Write it as [user@]host[:port], several separated by commas, e.g. "deploy@bastion.example.com:22"' });
    }
    return { user, host, port, text };
  });
}
