// ssh2 is loaded on the first SSH connection, not with the program: loading it costs ~10–14 MB of
// memory (its OpenSSL self-tests run at load), which an FTP run or a CLI command that connects
// nowhere never needs.
import type * as Ssh2 from 'ssh2';

export type Ssh2Module = typeof Ssh2;

let loading: Promise<Ssh2Module> | undefined;

export function loadSsh2(): Promise<Ssh2Module> {
  // a CommonJS package: its exports are the namespace's default (bundled or not)
  return (loading ??= import('ssh2').then((m) => ((m as unknown as { default?: Ssh2Module }).default ?? m) as Ssh2Module));
}
