// One redaction for every message and report (issue "Security", item 7): anything that looks like
// `user:secret@` loses the secret. Used by the CLI's output (human text, stack traces, --json), the
// error messages built from command-line arguments, and the extension's log — so a password in a
// mistyped URL (`ftp:/joe:pw@host/x`, `joe:pw@host:/path`, LOCAL and REMOTE swapped) never shows.

export const REDACTED = '***';

// user: no blank, ':', '/', '@', quote, bracket; secret: up to the last '@' of the word, and not
// starting with '/' (so `sftp://me@host` is not read as user "sftp", secret "//me")
const USERINFO = /([^\s:/@"'`<>[\](){},;]+):(?!\/)([^\s"'`<>]*)@/g;

/** `text` with the secret of every `user:secret@` replaced by `***`. */
export function redactSecrets(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(USERINFO, (_m, user: string, secret: string) => {
    // `joe:pw@host/a@b`: the secret ends at the last '@' before the first '/' when there is one
    const slash = secret.indexOf('/');
    if (slash >= 0) {
      const at = secret.lastIndexOf('@', slash);
      if (at >= 0) return `${user}:${REDACTED}@${secret.slice(at + 1)}@`;
    }
    if (secret === REDACTED || secret === '') return `${user}:${secret}@`;
    return `${user}:${REDACTED}@`;
  });
}

/** A value with every string inside it redacted (for reports: JSON documents, error objects' fields). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
