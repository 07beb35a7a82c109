// The snapshot's text as compact() writes it: {"version":1,"local":…,"remote":…,"updated":…,
// "entries":{"path":[type, localSize, localMtime, remoteSize, remoteMtime, base?], …}}, paths sorted,
// built record by record (compactInSteps() builds it in slices). Read by snapshot-parse.ts.
import { STATE_VERSION } from './snapshot-parse.js';
import type { StateTable } from './table.js';

export type StateRecord = ReturnType<StateTable['records']> extends IterableIterator<infer R> ? R : never;

/** what follows the last entry */
export const SNAPSHOT_END = '}}';

/** the snapshot's text up to its first entry (the rest: entries joined by ',' then SNAPSHOT_END) */
export function snapshotHead(localRoot: string, remoteId: string): string {
  const head = JSON.stringify({ version: STATE_VERSION, local: localRoot, remote: remoteId, updated: new Date().toISOString(), entries: {} });
  return head.slice(0, -2); // … "entries":{
}

/** the table's records, by path */
export function sortedRecords(table: StateTable): StateRecord[] {
  return [...table.records()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** a number as JSON.stringify writes it (NaN / Infinity: null, as before) */
const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/** one entry of the snapshot: "path":[type, localSize, localMtime, remoteSize, remoteMtime, base?] */
export function recordJson([p, t, ls, lm, rs, rm, base]: StateRecord): string {
  return `${JSON.stringify(p)}:["${t}",${num(ls)},${num(lm)},${num(rs)},${num(rm)}${base === undefined ? '' : `,${JSON.stringify(base)}`}]`;
}
