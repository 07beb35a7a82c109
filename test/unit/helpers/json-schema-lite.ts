// A small JSON-schema (draft-07) checker for tests: enough of the keywords remote-sync.schema.json
// uses to tell whether a document is valid. Not a general validator.

type Schema = boolean | { [k: string]: unknown };

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

export function schemaErrors(schema: Schema, value: unknown, root: Schema = schema, at = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: not allowed`];
  const s = schema as Record<string, unknown>;
  const errs: string[] = [];
  if (typeof s.$ref === 'string') {
    const path = s.$ref.replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const p of path) target = (target as Record<string, unknown>)[p];
    errs.push(...schemaErrors(target as Schema, value, root, at));
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type as string[] : [s.type as string];
    if (!types.some((t) => typeMatches(value, t))) return [...errs, `${at}: expected ${types.join('|')}`];
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => e === value)) errs.push(`${at}: not in enum`);
  if ('const' in s && s.const !== value) errs.push(`${at}: not const`);
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) errs.push(`${at}: too short`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) errs.push(`${at}: pattern`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errs.push(`${at}: < minimum`);
    if (typeof s.maximum === 'number' && value > s.maximum) errs.push(`${at}: > maximum`);
  }
  if (Array.isArray(value) && s.items !== undefined) {
    value.forEach((v, i) => errs.push(...schemaErrors(s.items as Schema, v, root, `${at}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in obj)) errs.push(`${at}: missing ${r}`);
    if (typeof s.minProperties === 'number' && Object.keys(obj).length < s.minProperties) errs.push(`${at}: too few properties`);
    for (const [k, v] of Object.entries(obj)) {
      if (s.propertyNames !== undefined) errs.push(...schemaErrors(s.propertyNames as Schema, k, root, `${at}.${k}(name)`));
      if (k in props) errs.push(...schemaErrors(props[k], v, root, `${at}.${k}`));
      else if (s.additionalProperties !== undefined) errs.push(...schemaErrors(s.additionalProperties as Schema, v, root, `${at}.${k}`));
    }
  }
  const ok = (sub: Schema) => schemaErrors(sub, value, root, at).length === 0;
  if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) errs.push(...schemaErrors(sub, value, root, at));
  if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some(ok)) errs.push(`${at}: anyOf`);
  if (Array.isArray(s.oneOf) && (s.oneOf as Schema[]).filter(ok).length !== 1) errs.push(`${at}: oneOf`);
  if (s.not !== undefined && ok(s.not as Schema)) errs.push(`${at}: not`);
  if (s.if !== undefined) {
    if (ok(s.if as Schema)) { if (s.then !== undefined) errs.push(...schemaErrors(s.then as Schema, value, root, at)); }
    else if (s.else !== undefined) errs.push(...schemaErrors(s.else as Schema, value, root, at));
  }
  return errs;
}
