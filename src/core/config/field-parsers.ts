// Parsers of single config fields added with the connection, security and ignore-file settings
// (validate.ts reads the file and calls them): each error names the field and shows a valid value.
import type { SshAlgorithms } from '../types.js';
import { ALGORITHM_KINDS } from '../targets/ssh/algorithms.js';
import { parseOctalMode } from '../targets/modes.js';
import { normalizeCertFingerprint } from '../targets/tls-pin.js';
import { JsonFields, fieldName, shown, type Prop } from './json-fields.js';

export function parsePermissions(j: JsonFields, p: Prop, field: string): { file?: number; dir?: number } {
  const props = j.props(p.value, field, ['file', 'dir']);
  const out: { file?: number; dir?: number } = {};
  for (const [key, prop] of props) {
    const name = fieldName(field, key);
    if (prop.value.type !== 'string') {
      throw j.error(prop.value, name, `must be an octal mode in double quotes, e.g. "${key === 'dir' ? '755' : '644'}" (got ${shown(prop.value)})`);
    }
    const mode = parseOctalMode(prop.value.value as string);
    if (mode === undefined) {
      throw j.error(prop.value, name, `must be three octal digits as chmod takes them, e.g. "${key === 'dir' ? '755' : '644'}" (got ${shown(prop.value)})`);
    }
    out[key as 'file' | 'dir'] = mode;
  }
  return out;
}

export function parseTlsFingerprintField(j: JsonFields, p: Prop, field: string): string {
  const raw = j.str(p, field, { nonEmpty: true });
  const fp = normalizeCertFingerprint(raw);
  if (!fp) {
    throw j.error(p.value, field, `must be a certificate's SHA-256 fingerprint, "SHA256:" and 64 hex digits (colons allowed) (got ${shown(p.value)})`,
      'The first connection with "allowSelfSignedCertificate" shows it; or: openssl x509 -noout -fingerprint -sha256 -in cert.pem');
  }
  return fp;
}
/** "ignoreFiles": names of files like .gitignore, looked for in every folder */
export function ignoreFileNames(j: JsonFields, p: Prop): string[] {
  if (p.value.type !== 'array') throw j.error(p.value, 'ignoreFiles', `must be a list of file names, e.g. [".gitignore"] (got ${shown(p.value)})`);
  return (p.value.children ?? []).map((item, i) => {
    const v = item.value;
    if (item.type !== 'string' || v.trim() === '' || /[/\\]/.test(v) || v === '.' || v === '..') {
      throw j.error(item, `ignoreFiles[${i}]`, `must be a file name without a folder, e.g. ".gitignore" (got ${shown(item)}); it is read in the root and in every subfolder`);
    }
    return v as string;
  });
}

const ALGORITHM_NAME = /^[+^-]?[A-Za-z0-9@._+-]+$/;

/** "algorithms": { "kex": [...], "cipher": [...], "serverHostKey": [...], "hmac": [...] } */
export function parseAlgorithms(j: JsonFields, p: Prop, field: string): SshAlgorithms {
  const props = j.props(p.value, field, ALGORITHM_KINDS);
  const out: SshAlgorithms = {};
  for (const [key, prop] of props) {
    const name = fieldName(field, key);
    if (prop.value.type !== 'array' || !prop.value.children?.length) {
      throw j.error(prop.value, name, `must be a non-empty list of algorithm names, e.g. ["+ssh-rsa"] (got ${shown(prop.value)})`);
    }
    const list = prop.value.children.map((item, i) => {
      if (item.type !== 'string' || !ALGORITHM_NAME.test(item.value as string)) {
        throw j.error(item, `${name}[${i}]`, `must be an algorithm name like "diffie-hellman-group14-sha1", or "+name" to add it to the defaults (got ${shown(item)})`);
      }
      return item.value as string;
    });
    const changes = list.filter((a) => /^[+^-]/.test(a)).length;
    if (changes && changes !== list.length) {
      throw j.error(prop.value, name, 'mixes names with "+", "-" or "^" and plain names: either list every algorithm to use, or only changes ("+name" adds, "-name" removes, "^name" puts first)');
    }
    out[key as keyof SshAlgorithms] = list;
  }
  return out;
}
