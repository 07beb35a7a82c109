// The choices shown for an entry opened in the diff editor (vscode-free): words above the diff (a
// CodeLens on line 1), the same in the editor title and in messages. Conflicts get Keep Local /
// Keep Remote / Skip; a planned transfer (preview) gets Apply / Skip. A new choice (e.g. a three-way
// Merge) is one more entry in CONFLICT_CHOICES.

import type { Action } from '../../core/types.js';

export interface DiffChoice {
  /** the words shown ("Keep Local") */
  title: string;
  command: string;
  /** what it does, for the tooltip */
  tooltip: string;
}

export const CONFLICT_CHOICES: DiffChoice[] = [
  { title: 'Keep Local', command: 'remoteSync.keepLocal', tooltip: 'Upload your copy over the server\'s' },
  { title: 'Keep Remote', command: 'remoteSync.keepRemote', tooltip: 'Download the server\'s copy over yours' },
  { title: 'Skip', command: 'remoteSync.skip', tooltip: 'Leave both as they are for now' },
];

export const PLANNED_CHOICES: DiffChoice[] = [
  { title: 'Apply', command: 'remoteSync.apply', tooltip: 'Do what the preview planned for this file' },
  { title: 'Skip', command: 'remoteSync.skip', tooltip: 'Leave it out of this sync' },
];

export type DiffKind = 'conflict' | 'planned';

/** what the open diff is about: a planned transfer from a preview, or a conflict (also: Compare with Remote) */
export function diffKindOf(entry: Action | undefined): DiffKind {
  return entry && entry.kind !== 'conflict' ? 'planned' : 'conflict';
}

export function choicesFor(kind: DiffKind): DiffChoice[] {
  return kind === 'planned' ? PLANNED_CHOICES : CONFLICT_CHOICES;
}

const PLANNED_TEXT: Partial<Record<Action['kind'], string>> = {
  upload: 'Planned upload', download: 'Planned download',
  'delete-remote': 'Planned: delete on the server', 'delete-local': 'Planned: delete locally',
};

/** the first words of the line above the diff: "Conflict 2 of 5 — changed on both sides" */
export function headline(entry: Action | undefined, position?: { index: number; total: number }): string {
  if (entry && entry.kind !== 'conflict') return `${PLANNED_TEXT[entry.kind] ?? 'Planned'} — ${entry.reason}`;
  const where = position && position.total > 1 ? ` ${position.index} of ${position.total}` : '';
  return entry ? `Conflict${where} — ${entry.reason}` : 'Compare with Remote';
}

/**
 * Conflicts resolved one after the other: "2 of 5" counts from the first one of the round; the
 * round ends (and the count starts again) when none is left.
 */
export class ConflictRound {
  private total = 0;

  /** `pending` conflicts are left now; returns this one's position */
  position(pending: number): { index: number; total: number } {
    if (pending <= 0) {
      this.total = 0;
      return { index: 0, total: 0 };
    }
    this.total = Math.max(this.total, pending);
    return { index: this.total - pending + 1, total: this.total };
  }
}
