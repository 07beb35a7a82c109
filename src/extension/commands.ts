// One wrapper for every command: errors become a notification naming the file and the cause, with
// "Show Log"; long operations run under a cancellable progress notification with a running count.
import * as vscode from 'vscode';
import type { ProgressEvent } from '../core/types.js';
import { ProgressCounter, progressDetail } from './activity.js';
import { describeError } from './errorText.js';
import { errorOrigin, type FolderSession, type Services } from './folderSession.js';

export interface ReportOptions {
  files?: string[];
  session?: FolderSession;
}

export class Commands {
  constructor(private readonly context: vscode.ExtensionContext, private readonly services: Services) {}

  /** register a command; `what` names the operation in error messages ("Upload") */
  register(id: string, what: string, handler: (...args: any[]) => unknown): void {
    this.context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        this.report(what, err);
        return undefined;
      }
    }));
  }

  /** log an error and show it (not awaited: a notification must not hold a command open) */
  report(what: string, err: unknown, options: ReportOptions = {}): void {
    const r = describeError(what, err, options.files);
    const session = options.session ?? (typeof err === 'object' && err !== null ? errorOrigin.get(err) : undefined);
    const log = session?.log ?? this.services.log;
    if (r.cancelled) {
      log.info(r.message);
      return;
    }
    log.error(r.message);
    if (err instanceof Error && err.stack) this.services.log.debug(err.stack);
    // the status bar shows the failure too (a refused login, a failed save), until the next result
    if (session) {
      this.services.activity.record(session.key, {
        label: what, text: r.auth ? 'login refused' : `${what.toLowerCase()} failed`, detail: r.message, level: 'error',
      });
    }
    const buttons = r.config ? ['Open Config', 'Show Log'] : r.auth ? ['Set Password', 'Show Log'] : ['Show Log'];
    const who = session && (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `Remote Sync (${session.name})` : 'Remote Sync';
    vscode.window.showErrorMessage(`${who}: ${r.message}`, ...buttons).then((pick) => {
      if (pick === 'Show Log') this.services.log.show();
      else if (pick === 'Open Config' && session) vscode.window.showTextDocument(session.configUri);
      // for the target that refused the login: no second question about which one
      else if (pick === 'Set Password') vscode.commands.executeCommand('remoteSync.setPassword', session?.folder.uri, session?.targetName);
    });
  }

  /**
   * Run a long operation under a cancellable progress notification. The callback gets the abort
   * signal and an onProgress for the engine; the running count also shows in the status bar.
   */
  withProgress<T>(
    session: FolderSession,
    title: string,
    fn: (signal: AbortSignal, onProgress: (event: ProgressEvent) => void) => Promise<T>,
  ): Promise<T> {
    const { activity } = this.services;
    return Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Remote Sync: ${title}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        // the status bar shows the target already: its label is the operation alone ("Upload", not "Upload → production")
        const op = activity.begin(session.key, title.replace(/ → [^→]*$/, ''), controller);
        const counter = new ProgressCounter();
        try {
          return await fn(controller.signal, (event) => {
            const update = counter.feed(event);
            if (!update) return;
            progress.report(update);
            const p = counter.snapshot();
            activity.update(op, p.filesDone, p.filesTotal, { detail: progressDetail(p), line: update.message });
          });
        } finally {
          sub.dispose();
          activity.end(op);
        }
      },
    ));
  }

  /** a quiet operation (upload on save): status bar only, still cancellable with "Sync: Cancel" */
  async quietly<T>(session: FolderSession, label: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const op = this.services.activity.begin(session.key, label, controller);
    try {
      return await fn(controller.signal);
    } finally {
      this.services.activity.end(op);
    }
  }
}
