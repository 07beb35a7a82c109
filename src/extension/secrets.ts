// Passwords and key passphrases live in VS Code's SecretStorage, never in the config file. The engine
// asks for them through its Credentials callbacks, only when a login needs them. A value typed in is
// stored once the login succeeded; a stored value the server refused is forgotten, so the next
// attempt asks again. An unknown SFTP host key, or an unverified FTPS certificate seen for the first
// time, is shown in a modal and trusted only on request.
// Other keyboard-interactive prompts (one-time codes) get an input box each and are never stored.
import * as vscode from 'vscode';
import type { CertificateInfo, Credentials, HostKeyInfo, Logger, RemoteSpec } from '../core/types.js';
import { loginLabel, passphraseKey, passwordKey } from './secretKeys.js';
import { askLoginPrompts } from './loginPrompts.js';

export interface LoginSecrets {
  credentials: Credentials;
  /** the login worked: keep what was typed */
  succeeded(): Promise<void>;
  /** the login was refused: forget the stored values that were used */
  refused(): Promise<void>;
}

export class Secrets {
  private prompts = new Map<string, Promise<string | undefined>>();
  private hostKeyPrompts = new Map<string, Promise<boolean>>();

  constructor(private readonly storage: vscode.SecretStorage, private readonly log: Logger) {}

  forLogin(folderName: string): LoginSecrets {
    const typed = new Map<string, string>();
    const used = new Set<string>();
    const ask = async (key: string, prompt: string): Promise<string | undefined> => {
      const known = typed.get(key);
      if (known !== undefined) return known;
      const stored = await this.storage.get(key);
      if (stored !== undefined) {
        used.add(key);
        return stored;
      }
      // one input box per secret at a time (FTP opens several connections at once)
      let pending = this.prompts.get(key);
      if (!pending) {
        pending = Promise.resolve(vscode.window.showInputBox({ prompt, password: true, ignoreFocusOut: true }));
        this.prompts.set(key, pending);
        pending.finally(() => this.prompts.delete(key));
      }
      const value = await pending;
      if (value !== undefined) typed.set(key, value);
      return value;
    };
    const credentials: Credentials = {
      password: (spec) => ask(passwordKey(spec), `Remote Sync (${folderName}): password for ${loginLabel(spec)}`),
      passphrase: (keyFile) => ask(passphraseKey(keyFile), `Remote Sync (${folderName}): passphrase of the key ${keyFile}`),
      confirmHostKey: (info) => this.confirmHostKey(info),
      confirmCertificate: (info) => this.confirmCertificate(info),
      answerPrompts: (req) => askLoginPrompts(req, folderName, (o) => vscode.window.showInputBox(o)),
    };
    return {
      credentials,
      succeeded: async () => {
        for (const [key, value] of typed) {
          await this.storage.store(key, value);
          this.log.info(`Stored the ${key.includes('passphrase') ? 'passphrase' : 'password'} in VS Code's secret storage`);
        }
        typed.clear();
      },
      refused: async () => {
        for (const key of used) {
          await this.storage.delete(key);
          this.log.warn('The server refused the stored secret; it was forgotten and will be asked for again');
        }
        used.clear();
        typed.clear();
      },
    };
  }

  async setPassword(spec: RemoteSpec, kind: 'password' | 'passphrase'): Promise<boolean> {
    const key = kind === 'password' ? passwordKey(spec) : passphraseKey(spec.identity ?? '');
    const what = kind === 'password' ? `password for ${loginLabel(spec)}` : `passphrase of the key ${spec.identity}`;
    const value = await vscode.window.showInputBox({ prompt: `Remote Sync: ${what}`, password: true, ignoreFocusOut: true });
    if (value === undefined) return false;
    await this.storage.store(key, value);
    this.log.info(`Stored the ${what} in VS Code's secret storage`);
    return true;
  }

  /** keep a secret that came from elsewhere (an imported sftp.json), after the user agreed */
  async storeImported(spec: RemoteSpec, kind: 'password' | 'passphrase', value: string): Promise<string> {
    const key = kind === 'password' ? passwordKey(spec) : passphraseKey(spec.identity ?? '');
    const what = kind === 'password' ? `password for ${loginLabel(spec)}` : `passphrase of the key ${spec.identity}`;
    await this.storage.store(key, value);
    this.log.info(`Stored the imported ${what} in VS Code's secret storage`);
    return what;
  }

  /** forget the password (and the key passphrase) of a target; returns what was forgotten */
  async forget(spec: RemoteSpec): Promise<string[]> {
    const out: string[] = [];
    const pw = passwordKey(spec);
    if ((await this.storage.get(pw)) !== undefined) {
      await this.storage.delete(pw);
      out.push(`password for ${loginLabel(spec)}`);
    }
    if (spec.identity) {
      const pp = passphraseKey(spec.identity);
      if ((await this.storage.get(pp)) !== undefined) {
        await this.storage.delete(pp);
        out.push(`passphrase of ${spec.identity}`);
      }
    }
    for (const what of out) this.log.info(`Forgot the ${what}`);
    return out;
  }

  /** FTPS with verification off: the certificate's fingerprint in a modal, like an unknown host key */
  private confirmCertificate(info: CertificateInfo): Promise<boolean> {
    const key = `tls:${info.host}:${info.port}:${info.fingerprint}`;
    let pending = this.hostKeyPrompts.get(key);
    if (!pending) {
      const trust = 'Trust and Connect';
      pending = Promise.resolve(vscode.window.showWarningMessage(
        `Unverified certificate of ${info.host}:${info.port}. Trust it?`,
        {
          modal: true,
          detail: `Certificate checks are off for this target (allowSelfSignedCertificate). The server presents a certificate for ` +
            `"${info.subject}" issued by "${info.issuer}", valid until ${info.validTo}, with the SHA-256 fingerprint\n\n${info.fingerprint}\n\n` +
            'Compare it with the fingerprint your server administrator gave you. ' +
            (info.knownCertificatesFile ? `If you trust it, it is recorded in ${info.knownCertificatesFile}, and a different certificate is refused later.` : ''),
        },
        trust,
      )).then((pick) => pick === trust);
      this.hostKeyPrompts.set(key, pending);
      pending.finally(() => this.hostKeyPrompts.delete(key));
    }
    return pending.then((ok) => {
      this.log.info(`Certificate ${info.fingerprint} of ${info.host}:${info.port} ${ok ? 'trusted' : 'not trusted'}`);
      return ok;
    });
  }

  private confirmHostKey(info: HostKeyInfo): Promise<boolean> {
    const key = `${info.host}:${info.port}:${info.fingerprint}`;
    let pending = this.hostKeyPrompts.get(key);
    if (!pending) {
      const trust = 'Trust and Connect';
      pending = Promise.resolve(vscode.window.showWarningMessage(
        `Unknown host ${info.host}:${info.port}. Trust its key?`,
        {
          modal: true,
          detail: `The server's ${info.keyType} key fingerprint is\n\n${info.fingerprint}\n\n` +
            'Compare it with the fingerprint your server administrator gave you. ' +
            `If you trust it, it is recorded in ${info.knownHostsFile} and not asked again.`,
        },
        trust,
      )).then((pick) => pick === trust);
      this.hostKeyPrompts.set(key, pending);
      pending.finally(() => this.hostKeyPrompts.delete(key));
    }
    return pending.then((ok) => {
      this.log.info(`Host key ${info.fingerprint} of ${info.host}:${info.port} ${ok ? 'trusted' : 'not trusted'}`);
      return ok;
    });
  }
}
