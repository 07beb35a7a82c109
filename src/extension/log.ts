// The "Remote Sync" log: a LogOutputChannel (levels, timestamps, the user picks the level) that
// also serves as the engine's Logger.
import * as vscode from 'vscode';
import type { Logger } from '../core/types.js';

export class Log implements Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Remote Sync', { log: true });
  }

  error(msg: string): void { this.channel.error(msg); }
  warn(msg: string): void { this.channel.warn(msg); }
  info(msg: string): void { this.channel.info(msg); }
  debug(msg: string): void { this.channel.debug(msg); }

  /** a Logger that prefixes every line (the folder's name in a multi-root workspace) */
  scoped(prefix: () => string): Logger {
    const p = (m: string) => { const s = prefix(); return s ? `[${s}] ${m}` : m; };
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
