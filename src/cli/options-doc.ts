// The README's option table, made from the one list of options (args.ts OPTIONS). A unit test
// checks that README.md holds exactly this; `node --import tsx scripts/readme-options.ts` rewrites it.

import { OPTIONS } from './args.js';

export const TABLE_START = '<!-- options:start (generated from src/cli/args.ts: node --import tsx scripts/readme-options.ts) -->';
export const TABLE_END = '<!-- options:end -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function optionsMarkdown(): string {
  const rows = OPTIONS.map((o) => {
    const v = o.value ? ` ${cell(o.value)}` : '';
    const names = [...(o.short ? [`\`-${o.short}\``] : []), `\`--${o.long}${v}\``].join(', ');
    return `| ${names} | ${cell(o.help)} |`;
  });
  return ['| Option | |', '|---|---|', ...rows].join('\n');
}

/** README text with the table between the markers replaced; undefined when the markers are missing */
export function withOptionsTable(readme: string): string | undefined {
  const a = readme.indexOf(TABLE_START);
  const b = readme.indexOf(TABLE_END);
  if (a < 0 || b < a) return undefined;
  return `${readme.slice(0, a + TABLE_START.length)}\n${optionsMarkdown()}\n${readme.slice(b)}`;
}
