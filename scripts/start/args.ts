// The command line of `npm start` (scripts/start/main.ts): `npm start -- [options]`.
import { suggest } from '../../src/core/config/suggest';

export interface StartArgs {
  /** a terminal demo of the CLI instead of an editor */
  cli: boolean;
  /** delete the demo workspace and create it afresh first */
  reset: boolean;
  /** also start a real sshd on loopback and add the target "sftp-demo" */
  sftp: boolean;
  /** code-server even when a desktop `code` is on the PATH */
  codeServer: boolean;
  /** code-server's port (default 8080) and address (default 127.0.0.1) */
  port: number;
  host: string;
  help: boolean;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

export const START_HELP = `npm start -- [options]      try Remote Sync on a demo workspace (.cache/demo/)

  (no option)      build, then open the demo workspace: in desktop VS Code when \`code\` is on the
                   PATH, otherwise in code-server at http://127.0.0.1:8080/ (Ctrl-C stops it)
  --cli            a short demo of the \`remote-sync\` command in this terminal instead
  --sftp           also start a real sshd on loopback for the demo: target "sftp-demo" (needs root)
  --reset          delete the demo workspace and its "server" folder and start from scratch
  --port N         code-server's port (default 8080)
  --host ADDR      code-server's address (default 127.0.0.1); not a loopback address: a password is asked
  --code-server    code-server even when a desktop \`code\` is on the PATH
  -h, --help       this help
`;

export class StartUsageError extends Error {}

const FLAGS = ['--cli', '--reset', '--sftp', '--code-server', '--port', '--host', '--help'];

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/i;
export const isLoopback = (host: string): boolean => LOOPBACK.test(host);

export function parseStartArgs(argv: string[]): StartArgs {
  const a: StartArgs = { cli: false, reset: false, sftp: false, codeServer: false, port: DEFAULT_PORT, host: DEFAULT_HOST, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0 && name !== arg) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) throw new StartUsageError(`${name} needs a value, e.g. ${name === '--port' ? '--port 8081' : '--host 0.0.0.0'}`);
      return v;
    };
    switch (name) {
      case '--cli': a.cli = true; break;
      case '--reset': a.reset = true; break;
      case '--sftp': a.sftp = true; break;
      case '--code-server': a.codeServer = true; break;
      case '-h': case '--help': a.help = true; break;
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new StartUsageError(`--port must be a port number from 1 to 65535 (got "${v}")`);
        a.port = n;
        break;
      }
      case '--host': {
        const v = value().replace(/^\[(.*)\]$/, '$1');
        if (!v || /[\s/]/.test(v)) throw new StartUsageError(`--host must be an address to listen on, e.g. 127.0.0.1 or 0.0.0.0 (got "${v}")`);
        a.host = v;
        break;
      }
      default: {
        const near = name.startsWith('-') ? suggest(name, FLAGS) : undefined;
        throw new StartUsageError(`unknown option ${arg}${near ? ` (did you mean ${near}?)` : ''}; npm start -- --help lists the options`);
      }
    }
  }
  if (a.cli && a.sftp) throw new StartUsageError('--cli runs against the local demo "server" folder; leave out --sftp (or leave out --cli)');
  return a;
}
