// `npm start -- --cli`: the `remote-sync` command on the demo folders, in this terminal. One file is
// changed on both sides (a conflict), one only locally, one only on the "server"; a sync leaves the
// conflict (exit 4), `--resolve local` settles it, and a last run has nothing to do.
import { appendFileSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runCli, type DemoPaths } from './demo';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[22m` : s);

export function cliDemo(p: DemoPaths, log: (s: string) => void): number {
  const stamp = new Date().toISOString().slice(11, 19);
  const step = (title: string) => log(`\n${bold(`── ${title}`)}`);
  const show = (args: string[], expect: number[]): number => {
    log(bold(`$ remote-sync ${args.join(' ')}`) + `    (in ${relative(process.cwd(), p.site) || '.'})`);
    const r = runCli(p, args, { inherit: true });
    log(`  → exit ${r.status}${r.status === 4 ? ' (done, conflicts left)' : r.status === 0 ? ' (done)' : ''}`);
    if (!expect.includes(r.status)) throw new Error(`remote-sync ${args.join(' ')} ended with exit ${r.status}, expected ${expect.join(' or ')}`);
    return r.status;
  };

  step('1. Changes on both sides');
  appendFileSync(join(p.site, 'about.html'), `<!-- changed locally by the CLI demo at ${stamp} -->\n`);
  appendFileSync(join(p.server, 'about.html'), `<!-- changed on the server by the CLI demo at ${stamp} -->\n`);
  appendFileSync(join(p.site, 'css/style.css'), `/* changed locally at ${stamp} */\n`);
  appendFileSync(join(p.server, 'js/main.js'), `// changed on the server at ${stamp}\n`);
  log('  about.html      changed locally AND on the server  → a conflict');
  log('  css/style.css   changed locally                    → upload');
  log('  js/main.js      changed on the server              → download');

  step('2. What would a sync do? (changes nothing)');
  show(['run', '--dry-run'], [0, 4]);

  step('3. Sync: both directions; the conflict is left alone');
  show(['run', '--resolve', 'skip'], [4]);

  step('4. Settle the conflict: keep the local version');
  show(['run', '--resolve', 'local'], [0]);

  step('5. Both sides agree now');
  show(['run'], [0]);
  const local = readFileSync(join(p.site, 'about.html'), 'utf8');
  const server = readFileSync(join(p.server, 'about.html'), 'utf8');
  if (local !== server) throw new Error('about.html differs between the site and the server folder after --resolve local');
  log(`  about.html is the same in site/ and server/ (${local.length} bytes, the local version).`);
  log(`\nThe demo folders: ${p.site} and ${p.server}; the config: ${p.config}.`);
  log('Try it in the editor: npm start');
  return 0;
}
