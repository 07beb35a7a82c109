// `remote-sync import-sftp-json [FILE] [--force]`: vscode-sftp's sftp.json → .vscode/remote-sync.json,
// by the engine's converter (the same as the extension's "Sync: Import vscode-sftp Config").

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { SyncError, errorMessage } from '../core/errors.js';
import { parseConfigText } from '../core/config/index.js';
import { convertSftpJson, findSftpJson, importDestination } from '../core/import/sftp-json.js';
import type { CliArgs } from './args.js';
import { EXIT } from './exit-codes.js';

export interface ImportIo {
  cwd: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function runImport(args: CliArgs, io: ImportIo): number {
  const shown = (p: string) => relative(io.cwd, p) || p;
  const fail = (message: string, code: number = EXIT.ERROR) => {
    io.stderr.write(`remote-sync: ${message}\n`);
    return code;
  };
  const file = args.file !== undefined ? resolve(io.cwd, args.file) : findSftpJson(io.cwd);
  if (!file) return fail('no .vscode/sftp.json in this folder or above it; give the file: remote-sync import-sftp-json path/to/sftp.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return fail(`cannot read ${shown(file)}: ${(e as Error).message}`);
  }
  const dest = importDestination(file, io.cwd);
  if (existsSync(dest) && !args.force) {
    return fail(`${shown(dest)} already exists; nothing was written. Add --force to replace it with the imported settings.`);
  }
  try {
    const result = convertSftpJson(text, shown(file));
    parseConfigText(result.text, dest); // what we write must load
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = `${dest}.rs-import-${process.pid}`;
    try {
      writeFileSync(tmp, result.text, { mode: 0o644 });
      renameSync(tmp, dest);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new SyncError('io', `Could not write ${shown(dest)}`, { detail: (e as Error).message, cause: e });
    }
    const [first, ...others] = result.targets;
    io.stdout.write(`Wrote ${shown(dest)}: target "${first}"${others.length ? ` (default), ${others.map((t) => `"${t}"`).join(', ')}` : ''}.\n`);
    for (const s of result.secrets) {
      io.stderr.write(`warning: ${shown(file)} holds a ${s.kind} for "${s.target}": not copied. ` +
        `Use ${s.kind === 'password' ? 'REMOTE_SYNC_PASSWORD or ~/.netrc' : 'REMOTE_SYNC_PASSPHRASE'} (or "Sync: Set Password" in VS Code), ` +
        `and consider removing it from ${shown(file)}.\n`);
    }
    if (result.unsupported.length) {
      io.stderr.write(`Not carried over (listed at the top of ${shown(dest)}):\n${result.unsupported.map((u) => `  - ${u}\n`).join('')}`);
    }
    return EXIT.OK;
  } catch (e) {
    return fail(errorMessage(e));
  }
}
