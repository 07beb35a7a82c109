// Reading a state snapshot (`<id>.json`) into a StateTable. The file is what JSON.stringify wrote
// (state.ts compact(); the same format since 0.1): `{"version":1,…,"entries":{"path":["f",ls,lm,rs,rm,base?],…}}`.
// A scanner reads that shape straight from the bytes into the table (no object per entry, no tree
// of the whole file); anything it does not expect — whitespace, another field order, an escape in a
// number — sends the file to JSON.parse instead, which reads any valid JSON and reports what is wrong.

import { StateTable } from './table.js';

export const STATE_VERSION = 1;

export interface SnapshotHeader {
  version: unknown;
  local?: unknown;
  remote?: unknown;
}

/** thrown for a malformed file; the message names the problem (the caller wraps it in a SyncError) */
export class SnapshotFormatError extends Error {}

/** not the shape the fast scanner reads: fall back to JSON.parse */
class NotFast extends Error {}

export function parseSnapshot(buf: Buffer): StateTable {
  try {
    return scan(buf);
  } catch (e) {
    if (!(e instanceof NotFast)) throw e;
  }
  return parseGeneric(buf.toString('utf8'));
}

/** JSON.parse, then the same checks record by record */
export function parseGeneric(text: string): StateTable {
  let snap: { version?: unknown; entries?: unknown };
  try {
    snap = JSON.parse(text) as typeof snap;
  } catch (e) {
    throw new SnapshotFormatError((e as Error).message);
  }
  if (snap === null || typeof snap !== 'object' || snap.version !== STATE_VERSION || typeof snap.entries !== 'object' || snap.entries === null) {
    throw new SnapshotFormatError(`unknown format version ${(snap as { version?: unknown } | null)?.version}`);
  }
  const entries = snap.entries as Record<string, unknown>;
  const table = new StateTable();
  for (const p in entries) {
    const rec = entries[p];
    // (null: a number JSON cannot hold, NaN when written — snapshot-text.ts num(): read back as NaN, equal to nothing)
    if (!Array.isArray(rec) || (rec.length !== 5 && rec.length !== 6) || !isNum(rec[1]) || !isNum(rec[2]) || !isNum(rec[3]) || !isNum(rec[4])) {
      throw new SnapshotFormatError(`bad record for ${JSON.stringify(p)}`);
    }
    table.setRaw(p, rec[0] === 'd', rec[1] ?? NaN, rec[2] ?? NaN, rec[3] ?? NaN, rec[4] ?? NaN, typeof rec[5] === 'string' ? rec[5] : undefined);
  }
  return table;
}

const isNum = (v: unknown): v is number | null => typeof v === 'number' || v === null;

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
const MINUS = 0x2d, ZERO = 0x30, NINE = 0x39, F_LETTER = 0x66, D_LETTER = 0x64;
/** bases that are not a blob hash (core/merge/bases.ts), with their quotes' first one: `"binary"` → `"binary` */
const SHORT_BASES: [Buffer, string][] = ['binary', 'large'].map((s) => [Buffer.from(`"${s}`), s]);

function scan(b: Buffer): StateTable {
  let i = 0;
  const n = b.length;
  const expect = (c: number) => { if (b[i] !== c) throw new NotFast(); i++; };
  /** a string starting at i (at its quote); returns it, i after the closing quote */
  const str = (): string => {
    expect(QUOTE);
    const start = i;
    let escaped = false;
    while (i < n && b[i] !== QUOTE) {
      if (b[i] === BACKSLASH) { escaped = true; i++; }
      i++;
    }
    if (i >= n) throw new NotFast();
    const end = i++;
    return escaped ? (JSON.parse(b.toString('utf8', start - 1, end + 1)) as string) : b.toString('utf8', start, end);
  };
  /** a record's type: "f" or "d" read from the bytes (a string made per record cost more than the rest) */
  const typeLetter = (): number => {
    if (b[i] !== QUOTE || b[i + 2] !== QUOTE || (b[i + 1] !== F_LETTER && b[i + 1] !== D_LETTER)) throw new NotFast();
    i += 3;
    return b[i - 2];
  };
  /** the usual short bases ("binary", "large"), compared as bytes: one shared string each */
  const shortBase = (): string | undefined => {
    next: for (const [bytes, s] of SHORT_BASES) {
      const n = bytes.length;
      if (b[i + n] !== QUOTE) continue;
      for (let k = 0; k < n; k++) if (b[i + k] !== bytes[k]) continue next;
      i += n + 1;
      return s;
    }
    return undefined;
  };
  /** a plain integer (what the writer puts in a record); anything else is left to JSON.parse */
  const int = (): number => {
    let neg = false;
    if (b[i] === MINUS) { neg = true; i++; }
    const start = i;
    let v = 0;
    while (i < n && b[i] >= ZERO && b[i] <= NINE) { v = v * 10 + (b[i] - ZERO); i++; }
    if (i === start || i - start > 15) throw new NotFast(); // no digits, or past exact doubles
    return neg ? -v : v;
  };
  let version: number | undefined;
  let table: StateTable | undefined;
  expect(LBRACE);
  for (;;) {
    const key = str();
    expect(COLON);
    if (key === 'entries') {
      if (table) throw new NotFast(); // a second "entries": JSON.parse keeps the last
      table = new StateTable();
      expect(LBRACE);
      if (b[i] === RBRACE) i++;
      else {
        for (;;) {
          const p = str();
          expect(COLON);
          expect(LBRACKET);
          const dir = typeLetter() === D_LETTER;
          expect(COMMA); const ls = int();
          expect(COMMA); const lm = int();
          expect(COMMA); const rs = int();
          expect(COMMA); const rm = int();
          let base: string | undefined;
          if (b[i] === COMMA) {
            i++;
            base = shortBase() ?? str();
          }
          expect(RBRACKET);
          if (!table.addFresh(p, dir, ls, lm, rs, rm, base)) throw new NotFast(); // a repeated key: JSON.parse's rule (the last wins)
          if (b[i] === COMMA) { i++; continue; }
          expect(RBRACE);
          break;
        }
      }
    } else if (b[i] === QUOTE) {
      str();
    } else {
      const v = int();
      if (key === 'version') version = v;
    }
    if (b[i] === COMMA) { i++; continue; }
    expect(RBRACE);
    break;
  }
  if (i !== n || version !== STATE_VERSION || !table) throw new NotFast(); // JSON.parse says what is wrong
  return table;
}

