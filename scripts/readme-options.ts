// Rewrites the option table in README.md from src/cli/args.ts (the one list of options).
//   node --import tsx scripts/readme-options.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withOptionsTable } from '../src/cli/options-doc.js';

const file = join(__dirname, '..', 'README.md');
const next = withOptionsTable(readFileSync(file, 'utf8'));
if (next === undefined) throw new Error('README.md has no options markers');
writeFileSync(file, next);
