// The status bar item: target, activity with a running count, last result — computed from state
// (statusText.ts) whenever the activity, the sessions, the view or the active editor change.
// Click: the next conflict while some are pending, else the log (a link in the tooltip either way).
import * as vscode from 'vscode';
import type { Services } from './folderSession.js';
import type { Sessions } from './sessions.js';
import { statusView } from './statusText.js';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sessions: Sessions, private readonly services: Services) {
    this.item = vscode.window.createStatusBarItem('remoteSync.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Remote Sync';
    this.item.command = 'remoteSync.statusClick';
    const render = () => this.render();
    this.disposables.push(
      this.item,
      services.activity.onChange(render),
      services.store.onChange(render),
      sessions.onDidChange(render),
      vscode.window.onDidChangeActiveTextEditor(render),
    );
    this.render();
  }

  private render(): void {
    const session = this.sessions.active() ?? this.sessions.configured()[0];
    if (!session) {
      this.item.hide();
      return;
    }
    const { activity, store } = this.services;
    const conflicts = store.conflicts(session.key).length;
    const view = statusView({
      folderName: session.name,
      multiRoot: this.sessions.configured().length > 1,
      target: session.targetName,
      configError: session.configError,
      uploadOnSave: session.uploadOnSave,
      running: activity.running(session.key),
      last: activity.last(session.key),
      conflicts,
    });
    this.item.text = view.text;
    // the log stays one click away when a click opens the next conflict
    const tip = new vscode.MarkdownString(view.tooltip.split('\n').map((l) => escapeMarkdown(l)).join('  \n'), true);
    tip.isTrusted = { enabledCommands: ['remoteSync.showLog', 'remoteSync.nextConflict'] };
    tip.appendMarkdown(`\n\n[Show Log](command:remoteSync.showLog)${conflicts ? ' · [Next Conflict](command:remoteSync.nextConflict)' : ''}`);
    this.item.tooltip = tip;
    this.item.backgroundColor = view.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : view.level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
