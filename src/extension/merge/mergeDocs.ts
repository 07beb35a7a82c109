// Read-only in-memory documents for the merge editor's inputs: the common version (base), the
// server's version and yours, as they were when the merge started.
import * as vscode from 'vscode';

export const MERGE_SCHEME = 'remote-sync-merge';

export class MergeDocs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, string>();
  private readonly registration: vscode.Disposable;
  private next = 0;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(MERGE_SCHEME, this);
  }

  /** a document named like the file ("index.php (common version)"), holding `content` */
  add(rel: string, label: string, content: Buffer): vscode.Uri {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    const uri = vscode.Uri.from({ scheme: MERGE_SCHEME, path: `/${this.next++}/${name}`, query: label });
    this.docs.set(uri.toString(), content.toString('utf8'));
    return uri;
  }

  forget(uris: vscode.Uri[]): void {
    for (const u of uris) this.docs.delete(u.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.registration.dispose();
    this.docs.clear();
  }
}
