// Where the CLI gets secrets: the URL, REMOTE_SYNC_PASSWORD, ~/.netrc, else a prompt on a
// terminal; key passphrases from REMOTE_SYNC_PASSPHRASE or a prompt; unknown SFTP host keys are
// confirmed on a terminal. Everything is asked lazily, only when a login needs it.
// REMOTE_SYNC_PASSWORD and ~/.netrc go only to a host the user named (on the command line, or in a
// config file of their own): `storedSecrets: false` leaves just the URL and the prompt.

import type { CertificateInfo, Credentials, HostKeyInfo, PromptRequest, RemoteSpec } from '../core/types.js';
import { ask, type PromptIo } from './prompt.js';
import { lookupNetrc, readNetrc, type NetrcFile } from './netrc.js';
import { visible } from './visible.js';

export interface CredentialContext {
  env: NodeJS.ProcessEnv;
  /** stdin and stderr are terminals: questions may be asked */
  interactive: boolean;
  io: PromptIo;
  warn(message: string): void;
  debug(message: string): void;
  /** REMOTE_SYNC_PASSWORD and ~/.netrc may be offered (default true; see RunSetup.storedSecrets) */
  storedSecrets?: boolean;
}

export function who(spec: RemoteSpec): string {
  const host = spec.host?.includes(':') ? `[${spec.host}]` : spec.host ?? '';
  return `${spec.user ? `${spec.user}@` : ''}${host}${spec.port ? `:${spec.port}` : ''}`;
}

function netrcOnce(ctx: CredentialContext): () => NetrcFile | undefined {
  let cached: NetrcFile | undefined | null = null;
  return () => {
    if (cached === null) cached = readNetrc(ctx.env);
    return cached;
  };
}

/** With no user in the URL or config, take the login of the host's netrc entry (like ftp and curl). */
export function fillUserFromNetrc(spec: RemoteSpec, env: NodeJS.ProcessEnv, storedSecrets = true): void {
  if (!storedSecrets || spec.protocol === 'local' || spec.user !== undefined || !spec.host) return;
  const file = readNetrc(env);
  const entry = file && lookupNetrc(file.entries, spec.host);
  if (entry?.login) spec.user = entry.login;
}

export function makeCredentials(ctx: CredentialContext): Credentials {
  const netrc = netrcOnce(ctx);
  return {
    async password(spec) {
      if (spec.password !== undefined) return spec.password;
      if (ctx.storedSecrets === false) {
        ctx.debug(`not offering REMOTE_SYNC_PASSWORD or ~/.netrc to ${who(spec)}: you did not name this host`);
      } else if (ctx.env.REMOTE_SYNC_PASSWORD !== undefined) {
        ctx.debug('password from REMOTE_SYNC_PASSWORD');
        return ctx.env.REMOTE_SYNC_PASSWORD;
      }
      const file = ctx.storedSecrets === false ? undefined : netrc();
      const entry = file && spec.host ? lookupNetrc(file.entries, spec.host, spec.user) : undefined;
      if (entry?.password !== undefined) {
        ctx.debug(`password from ${file!.path} (${entry.machine ? `machine ${entry.machine}` : 'default entry'})`);
        return entry.password;
      }
      if (!ctx.interactive) return undefined;
      return ask(ctx.io, `Password for ${who(spec)}: `, { echo: false });
    },
    async passphrase(keyFile) {
      if (ctx.env.REMOTE_SYNC_PASSPHRASE !== undefined) return ctx.env.REMOTE_SYNC_PASSPHRASE;
      if (!ctx.interactive) return undefined;
      return ask(ctx.io, `Passphrase for key ${keyFile}: `, { echo: false });
    },
    async confirmCertificate(info: CertificateInfo) {
      if (!ctx.interactive) return false;
      const host = info.host.includes(':') ? `[${info.host}]` : info.host;
      ctx.io.output.write(visible(`The TLS certificate of ${host}:${info.port} is not verified (--insecure-tls) and not known yet.\n` +
        `  subject ${info.subject || '(none)'}, issued by ${info.issuer || '(none)'}, valid until ${info.validTo || '?'}\n` +
        `  SHA-256 fingerprint ${info.fingerprint}\n` +
        (info.knownCertificatesFile ? `If you trust it, it is recorded in ${info.knownCertificatesFile} and a different certificate is refused later.\n` : '')));
      for (;;) {
        const a = (await ask(ctx.io, 'Trust this certificate? [y/N] ')).trim().toLowerCase();
        if (a === 'y' || a === 'yes') return true;
        if (a === '' || a === 'n' || a === 'no') return false;
      }
    },
    async answerPrompts(req: PromptRequest) {
      if (!ctx.interactive) return undefined;
      // as OpenSSH: the server's name and instructions, then each prompt (echo off for secrets)
      const intro = [req.name, req.instructions].map((t) => t.trim()).filter(Boolean);
      if (intro.length) ctx.io.output.write(`${visible(intro.join('\n'))}\n`);
      const answers: string[] = [];
      for (const p of req.prompts) {
        const q = p.prompt.trim() ? p.prompt : 'Answer: ';
        answers.push(await ask(ctx.io, /\s$/.test(q) ? q : `${q} `, { echo: p.echo }));
      }
      return answers;
    },
    async confirmHostKey(info: HostKeyInfo) {
      if (!ctx.interactive) return false;
      const host = info.host.includes(':') ? `[${info.host}]` : info.host;
      ctx.io.output.write(`The host ${host}:${info.port} is not in ${info.knownHostsFile} (${info.keyType} key).\n`);
      for (;;) {
        const a = (await ask(ctx.io, `Trust this host? (fingerprint ${info.fingerprint}) [y/N] `)).trim().toLowerCase();
        if (a === 'y' || a === 'yes') return true;
        if (a === '' || a === 'n' || a === 'no') return false;
      }
    },
  };
}
