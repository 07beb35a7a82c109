// Reading typed fields out of a jsonc-parser tree, with errors that name the field, say what is
// wrong and where (file:line:column).

import { basename } from 'node:path';
import type { Node } from 'jsonc-parser';
import { SyncError } from '../errors.js';
import { didYouMean } from './suggest.js';

/** A config file problem: a SyncError('config') that also knows where it is, for editor diagnostics. */
export class ConfigError extends SyncError {
  /** "targets.production.port" ("" for the whole file) */
  readonly field: string;
  /** 1-based */
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly length: number;

  constructor(message: string, where: { file: string; field: string; line: number; column: number; offset: number; length: number; hint?: string }) {
    super('config', message, { path: where.file, hint: where.hint });
    this.name = 'ConfigError';
    this.field = where.field;
    this.line = where.line;
    this.column = where.column;
    this.offset = where.offset;
    this.length = where.length;
  }

  /** the message already names the file; do not repeat its path */
  override toString(): string {
    return this.hint ? `${this.message}. ${this.hint}` : this.message;
  }
}

export interface Prop {
  key: string;
  keyNode: Node;
  value: Node;
}

/** "targets.production.port"; names that are not identifiers in brackets: targets["my site"].port */
export function fieldName(parent: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** a value as the user wrote it, for "(got …)" */
export function shown(node: Node | undefined): string {
  if (!node) return 'nothing';
  switch (node.type) {
    case 'object': return 'an object';
    case 'array': return 'a list';
    case 'null': return 'null';
    default: return JSON.stringify(node.value);
  }
}

export class JsonFields {
  private lineStarts: number[] | undefined;
  readonly label: string;

  constructor(readonly text: string, readonly file: string) {
    this.label = basename(file) || file;
  }

  position(offset: number): { line: number; column: number } {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  /** "remote-sync.json:7:15: targets.production.port must be …" */
  error(node: Node | undefined, field: string, problem: string, hint?: string): ConfigError {
    const offset = node?.offset ?? 0;
    const { line, column } = this.position(offset);
    const subject = field ? `${field} ` : '';
    return new ConfigError(`${this.label}:${line}:${column}: ${subject}${problem}`, {
      file: this.file, field, line, column, offset, length: node?.length ?? 0, hint,
    });
  }

  /**
   * The properties of an object node. Duplicates are errors; unknown keys are errors with a
   * suggestion (`misplaced` explains keys that belong to another level).
   */
  props(node: Node, field: string, known: readonly string[], misplaced: (key: string) => string | undefined = () => undefined): Map<string, Prop> {
    if (node.type !== 'object') throw this.error(node, field, `must be an object { … } (got ${shown(node)})`);
    const out = new Map<string, Prop>();
    for (const p of node.children ?? []) {
      const [keyNode, value] = p.children ?? [];
      if (!keyNode || !value) continue;
      const key = String(keyNode.value);
      const name = fieldName(field, key);
      if (out.has(key)) throw this.error(keyNode, name, 'is given twice: keep one');
      if (!known.includes(key)) {
        const why = misplaced(key);
        if (why) throw this.error(keyNode, name, why);
        throw this.error(keyNode, name, `is not a known setting${didYouMean(key, known)}`,
          `Known here: ${known.filter((k) => !k.startsWith('$')).join(', ')}`);
      }
      out.set(key, { key, keyNode, value });
    }
    return out;
  }

  str(p: Prop, field: string, opts: { nonEmpty?: boolean } = {}): string {
    if (p.value.type !== 'string') throw this.error(p.value, field, `must be a string in double quotes (got ${shown(p.value)})`);
    const s = p.value.value as string;
    if (opts.nonEmpty && s.trim() === '') throw this.error(p.value, field, 'must not be empty');
    return s;
  }

  bool(p: Prop, field: string): boolean {
    if (p.value.type !== 'boolean') throw this.error(p.value, field, `must be true or false (got ${shown(p.value)})`);
    return p.value.value as boolean;
  }

  int(p: Prop, field: string, min: number, max: number): number {
    const v = p.value.value;
    if (p.value.type !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw this.error(p.value, field, `must be a whole number from ${min} to ${max} (got ${shown(p.value)})`);
    }
    return v as number;
  }

  oneOf<T extends string>(p: Prop, field: string, values: readonly T[]): T {
    const v = p.value.value;
    if (p.value.type !== 'string' || !values.includes(v as T)) {
      const dym = p.value.type === 'string' ? didYouMean(String(v), values).replace(/^ \((.*)\)$/, '; $1') : '';
      throw this.error(p.value, field, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')} (got ${shown(p.value)}${dym})`);
    }
    return v as T;
  }

  /** a list of non-empty glob strings */
  globs(p: Prop, field: string): string[] {
    if (p.value.type !== 'array') {
      throw this.error(p.value, field, `must be a list of glob patterns, e.g. ["node_modules/", "*.log"] (got ${shown(p.value)})`);
    }
    return (p.value.children ?? []).map((item, i) => {
      if (item.type !== 'string' || (item.value as string).trim() === '') {
        throw this.error(item, `${field}[${i}]`, `must be a non-empty glob pattern string (got ${shown(item)})`);
      }
      return item.value as string;
    });
  }
}

/** "50%", "12.5%", 100 → normalised; undefined when not a valid max-delete value */
export function parseMaxDelete(value: unknown): number | string | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(s);
  if (m && Number(m[1]) <= 100) return `${Number(m[1])}%`;
  return undefined;
}
