// The "Remote Sync" log: a LogOutputChannel (levels, timestamps, the user picks the level) that
// also serves as the engine's Logger.
import * as vscode from 'vscode';
import type { Logger } from '../core/types.js';
import { redactSecrets as r } from '../core/redact.js';

export class Log implements Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Remote Sync', { log: true });
  }

  // every line is redacted: a password in a URL (`user:secret@`) never reaches the log
  error(msg: string): void { this.channel.error(r(msg)); }
  warn(msg: string): void { this.channel.warn(r(msg)); }
  info(msg: string): void { this.channel.info(r(msg)); }
  debug(msg: string): void { this.channel.debug(r(msg)); }

  /** a Logger that prefixes every line (the folder's name in a multi-root workspace) */
  scoped(prefix: () => string): Logger {
    const p = (m: string) => { const s = prefix(); return r(s ? `[${s}] ${m}` : m); };
    return {
      error: (m) => this.channel.error(p(m)),
      warn: (m) => this.channel.warn(p(m)),
      info: (m) => this.channel.info(p(m)),
      debug: (m) => this.channel.debug(p(m)),
    };
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
