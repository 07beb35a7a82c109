// "mergeBase": { "maxFileSize": "1MB" } | false — the common versions kept for three-way merges.

import type { Node } from 'jsonc-parser';
import { shown, type JsonFields, type Prop } from './json-fields.js';

export const MERGE_BASE_FIELDS = ['maxFileSize'] as const;

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 };

/** 1048576, "1MB", "512 kB", "1.5MiB" → bytes (binary units: 1 kB = 1024 bytes); undefined when not a size */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

export function parseMergeBase(j: JsonFields, p: Prop): { maxFileSize: number } | false {
  const v: Node = p.value;
  if (v.type === 'boolean' && v.value === false) return false;
  if (v.type !== 'object') {
    throw j.error(v, 'mergeBase', `must be false (keep no common versions) or an object like { "maxFileSize": "1MB" } (got ${shown(v)})`);
  }
  const props = j.props(v, 'mergeBase', MERGE_BASE_FIELDS);
  const size = props.get('maxFileSize');
  if (!size) return { maxFileSize: 1024 * 1024 };
  const n = parseSize(size.value.value);
  if (n === undefined || (size.value.type !== 'number' && size.value.type !== 'string')) {
    throw j.error(size.value, 'mergeBase.maxFileSize', `must be a size: a number of bytes or a string like "1MB" or "512kB" (got ${shown(size.value)})`);
  }
  return { maxFileSize: n };
}
