// `remote-sync completion bash|zsh|fish`: shell completion scripts, made from the one list of
// options (args.ts OPTIONS) and commands, so they never drift from the parser and the help.
//   bash: eval "$(remote-sync completion bash)"        (or save to /etc/bash_completion.d/remote-sync)
//   zsh:  remote-sync completion zsh > "${fpath[1]}/_remote-sync"
//   fish: remote-sync completion fish > ~/.config/fish/completions/remote-sync.fish

import { COMMANDS, OPTIONS, type OptionDef } from './args.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const ALL_COMMANDS = [...COMMANDS, 'completion', 'help'];

function words(o: OptionDef): string[] {
  return [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])];
}

function bash(): string {
  const valued = OPTIONS.filter((o) => o.value);
  const cases = valued.map((o) => {
    const pat = words(o).join('|');
    if (o.complete === 'file') return `    ${pat}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`;
    if (Array.isArray(o.complete)) return `    ${pat}) COMPREPLY=($(compgen -W "${o.complete.join(' ')}" -- "$cur")); return ;;`;
    return `    ${pat}) return ;;`;
  }).join('\n');
  const flags = OPTIONS.flatMap(words).join(' ');
  return `# bash completion for remote-sync (from: remote-sync completion bash)
_remote_sync() {
  local cur prev
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${cases}
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${ALL_COMMANDS.join(' ')}" -- "$cur")); return
  fi
  if [ "\${COMP_WORDS[1]}" = completion ]; then
    COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return
  fi
  case "$cur" in
    -*) COMPREPLY=($(compgen -W "${flags}" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -d -- "$cur")) ;;
  esac
}
complete -o filenames -F _remote_sync remote-sync
`;
}

const zshEscape = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "'\\''").replace(/\[/g, '\\[').replace(/\]/g, '\\]').replace(/:/g, '\\:');

function zsh(): string {
  const specs = OPTIONS.map((o) => {
    const action = o.complete === 'file' ? ':file:_files' : Array.isArray(o.complete) ? `:${o.value}:(${o.complete.join(' ')})` : o.value ? `:${o.value}: ` : '';
    const desc = `[${zshEscape(o.help)}]`;
    const repeat = ['verbose', 'quiet', 'match', 'exclude', 'include', 'exclude-from', 'include-from'].includes(o.long) ? '*' : '';
    if (o.short) return `    '${repeat}'{-${o.short},--${o.long}}'${o.value ? '=' : ''}${desc}${action}'`;
    return `    '${repeat}--${o.long}${o.value ? '=' : ''}${desc}${action}'`;
  }).join(' \\\n');
  return `#compdef remote-sync
# zsh completion for remote-sync (from: remote-sync completion zsh)
_remote_sync() {
  local -a commands
  commands=(${ALL_COMMANDS.map((c) => `'${c}'`).join(' ')})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  if [[ \${words[2]} == completion ]]; then
    _values 'shell' bash zsh fish
    return
  fi
  _arguments -s \\
${specs} \\
    '*:path:_files'
}
_remote_sync "$@"
`;
}

function fish(): string {
  const lines = OPTIONS.map((o) => {
    const parts = ['complete -c remote-sync', `-l ${o.long}`];
    if (o.short) parts.push(`-s ${o.short}`);
    if (o.value) parts.push('-r');
    if (o.complete === 'file') parts.push('-F');
    else if (Array.isArray(o.complete)) parts.push(`-f -a '${o.complete.join(' ')}'`);
    parts.push(`-d '${o.help.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
    return parts.join(' ');
  });
  return `# fish completion for remote-sync (from: remote-sync completion fish)
complete -c remote-sync -n __fish_use_subcommand -f -a '${ALL_COMMANDS.join(' ')}'
complete -c remote-sync -n '__fish_seen_subcommand_from completion' -f -a 'bash zsh fish'
${lines.join('\n')}
`;
}

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? bash() : shell === 'zsh' ? zsh() : fish();
}
