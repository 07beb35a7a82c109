// Help and usage texts of `remote-sync`.

import { OPTIONS, type Command, type OptionDef } from './args.js';

export const USAGE: Record<Command, string> = {
  upload: 'remote-sync upload LOCAL REMOTE [options]',
  download: 'remote-sync download LOCAL REMOTE [options]',
  sync: 'remote-sync sync LOCAL REMOTE [options]',
  run: 'remote-sync run [TARGET] [options]',
  'import-sftp-json': 'remote-sync import-sftp-json [FILE] [--force]',
};

const SUMMARY: Record<Command, string> = {
  upload: 'copy new and changed files from LOCAL to REMOTE',
  download: 'copy new and changed files from REMOTE to LOCAL',
  sync: 'both directions, decided by the last-sync state',
  run: 'use your .vscode/remote-sync.json (found upward, up to $HOME or a repository root)',
  'import-sftp-json': "convert vscode-sftp's .vscode/sftp.json into .vscode/remote-sync.json",
};

const REMOTE_FORMS = `REMOTE (and LOCAL) is a folder path or a URL:
  /srv/backup                              a folder on this machine
  sftp://user@host[:port]/absolute/path    SFTP (key, ssh-agent or password); host may be an ~/.ssh/config alias
  ftp://user[:password]@host[:port]/path   FTP
  ftps://user@host[:port]/path             FTP with explicit TLS (--ftps-implicit for implicit)
Percent-encode special characters in user names, passwords and paths (@ → %40, space → %20).`;

const FOOTER = `Passwords: the URL, REMOTE_SYNC_PASSWORD, ~/.netrc (or $NETRC), else a prompt on a terminal.
Key passphrases: REMOTE_SYNC_PASSPHRASE, else a prompt. SFTP also uses ssh-agent (SSH_AUTH_SOCK) and
~/.ssh/config (HostName, Port, User, IdentityFile, ProxyJump, …); other login prompts (2FA) are asked.
Exit codes: 0 done, 1 error, 2 usage, 3 aborted (Ctrl-C or a safety check), 4 conflicts left unresolved, 5 time up (--max-duration, --stop-at) with transfers left.`;

const GROUPS: Record<OptionDef['group'], string> = {
  sync: 'Sync options',
  filter: 'Filters',
  output: 'Output',
  connection: 'Connection',
  general: 'General',
};

function optionLines(command?: Command): string {
  const defs = OPTIONS.filter((o) => !command || !o.only || o.only.includes(command))
    .filter((o) => command !== 'sync' || !['delete', 'delete-unmatched', 'delete-excluded', 'force'].includes(o.long));
  const label = (o: OptionDef) => `${o.short ? `-${o.short}, ` : '    '}--${o.long}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...defs.map((o) => label(o).length)) + 2;
  const out: string[] = [];
  for (const group of Object.keys(GROUPS) as OptionDef['group'][]) {
    const list = defs.filter((o) => o.group === group);
    if (!list.length) continue;
    out.push(`${GROUPS[group]}:`);
    for (const o of list) out.push(`  ${label(o).padEnd(width)}${o.help}`);
  }
  return out.join('\n');
}

export function generalHelp(): string {
  const cmds = (Object.keys(USAGE) as Command[]).map((c) => `  ${USAGE[c].padEnd(44)}${SUMMARY[c]}`).join('\n');
  return `remote-sync: sync a folder with a server over SFTP, FTP or FTPS, decided by the last-sync state.

Usage:
${cmds}

${REMOTE_FORMS}

${optionLines()}

Examples:
  remote-sync upload ./site sftp://deploy@example.com/var/www/site --delete
  remote-sync download ./backup ftps://me@ftp.example.com/public_html --dry-run
  remote-sync sync . sftp://me@[::1]:2222/home/me/project --resolve new
  remote-sync run staging --mode upload --json

${FOOTER}
Help for one command: remote-sync COMMAND --help
Shell completion: remote-sync completion bash|zsh|fish (e.g. eval "$(remote-sync completion bash)")`;
}

export function commandHelp(command: Command): string {
  const extra: Record<Command, string> = {
    upload: 'Nothing is deleted on REMOTE unless --delete. A remote file changed since the last sync is a\nconflict (see --resolve), unless --force.',
    download: 'Nothing is deleted in LOCAL unless --delete. A local file changed since the last sync is a\nconflict (see --resolve), unless --force.',
    sync: 'New and changed files go both ways; deletions are repeated on the other side when the\nlast-sync state shows the file was there before. Changes on both sides are conflicts (--resolve;\n--resolve merge merges text files line by line where the two sides changed different lines).',
    'import-sftp-json': 'FILE defaults to .vscode/sftp.json, found from the current folder upward. Writes\n.vscode/remote-sync.json next to it (never over an existing one without --force). Passwords and\npassphrases are not copied (use REMOTE_SYNC_PASSWORD, ~/.netrc, or "Sync: Set Password" in VS Code);\nfields with no equivalent are listed in a comment at the top of the new file.',
    run: 'Reads .vscode/remote-sync.json: the target (TARGET or "defaultTarget"), localRoot, ignore, ignoreFiles, match,\nconflictPolicy, concurrency, maxDelete and deletePropagation (= --delete in one-way modes).\nCommand-line options override the file; -x patterns are added to "ignore".\nA group target ("group": ["web1", "web2"]) runs each member in parallel, lines prefixed by the member;\nexit code: the worst member\'s (2 > 1 > 3 > 5 > 4 > 0).',
  };
  return `Usage: ${USAGE[command]}

${SUMMARY[command][0].toUpperCase()}${SUMMARY[command].slice(1)}.
${extra[command]}
${command === 'run' || command === 'import-sftp-json' ? '' : `\n${REMOTE_FORMS}\n`}
${command === 'import-sftp-json' ? '  --force   overwrite an existing .vscode/remote-sync.json' : optionLines(command)}

${FOOTER}`;
}

/** the short text after a usage error */
export function usageHint(command?: Command): string {
  if (!command) return `Usage: remote-sync upload|download|sync LOCAL REMOTE [options]\n       remote-sync run [TARGET] [options]\n       remote-sync import-sftp-json [FILE] [--force]\nTry 'remote-sync --help' for more.`;
  return `Usage: ${USAGE[command]}\nTry 'remote-sync ${command} --help' for more.`;
}
