// The values of `remote-sync`'s options: each checked and stored in CliArgs as args.ts's parser
// meets it, with an error naming the option, what it takes and what was given.

import { SyncError } from '../core/errors.js';
import { parseMaxDelete, RESOLVE_STRATEGIES, CONCURRENCY_RANGE, TIMEOUT_RANGE } from '../core/config/index.js';
import { didYouMean } from '../core/config/suggest.js';
import { normalizeCertFingerprint } from '../core/targets/tls-pin.js';
import type { ResolveStrategy, SyncMode } from '../core/types.js';
import { parseBandwidth, parseClock } from '../core/transfer/bandwidth.js';
import { parseDuration, TRANSFER_ORDERS, type TransferOrder } from '../core/transfer/schedule.js';
import type { CliArgs, Command, OptionDef } from './args.js';

export const MODES: readonly SyncMode[] = ['upload', 'download', 'sync'];

export const RETRIES_MAX = 10;

/** A command-line mistake: exit code 2, with the usage line of `command`. */
export class UsageError extends SyncError {
  constructor(message: string, readonly command?: Command) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** "a,b, c" → ["a", "b", "c"] */
export function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function setOption(args: CliArgs, def: OptionDef, value: string, spelled: string, command: Command | undefined): void {
  const bad = (what: string) => new UsageError(`option ${spelled} ${what} (got '${value}')`, command);
  switch (def.long) {
    case 'dry-run': args.dryRun = true; break;
    case 'delete': args.delete = true; break;
    case 'delete-unmatched': args.deleteUnmatched = true; args.delete = true; break;
    case 'force': args.force = true; break;
    case 'resolve':
      if (!(RESOLVE_STRATEGIES as readonly string[]).includes(value)) {
        throw new UsageError(`option ${spelled} must be one of ${RESOLVE_STRATEGIES.join('|')} (got '${value}')${didYouMean(value, RESOLVE_STRATEGIES, (s) => s)}`, command);
      }
      args.resolve = value as ResolveStrategy;
      break;
    case 'mode':
      if (!(MODES as readonly string[]).includes(value)) {
        throw new UsageError(`option ${spelled} must be one of ${MODES.join('|')} (got '${value}')${didYouMean(value, MODES, (s) => s)}`, command);
      }
      args.mode = value as SyncMode;
      break;
    case 'max-delete': {
      const v = parseMaxDelete(value);
      if (v === undefined) throw bad('must be a number of files or a percentage, e.g. 100 or 50%');
      args.maxDelete = v;
      break;
    }
    case 'concurrency': {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n >= CONCURRENCY_RANGE.min && n <= CONCURRENCY_RANGE.max)) throw bad(`must be a whole number from ${CONCURRENCY_RANGE.min} to ${CONCURRENCY_RANGE.max}`);
      args.concurrency = n;
      break;
    }
    case 'match':
    case 'exclude':
    case 'include': {
      const list = splitList(value);
      if (!list.length) throw bad('needs at least one pattern');
      (def.long === 'match' ? args.match : def.long === 'exclude' ? args.exclude : args.include).push(...list);
      break;
    }
    case 'exclude-from':
    case 'include-from':
      if (value === '') throw bad('needs a file path');
      (def.long === 'exclude-from' ? args.excludeFrom : args.includeFrom).push(value);
      break;
    case 'port': {
      const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && n <= 65535)) throw bad('must be a port number from 1 to 65535');
      args.port = n;
      break;
    }
    case 'retries': {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n >= 0 && n <= RETRIES_MAX)) throw bad(`must be a whole number from 0 to ${RETRIES_MAX}`);
      args.retries = n;
      break;
    }
    case 'log-file':
    case 'ssh-config':
      if (value === '') throw bad('needs a file path');
      if (def.long === 'log-file') args.logFile = value; else args.sshConfig = value;
      break;
    case 'jump':
      if (value.trim() === '') throw bad('needs [user@]host[:port]');
      args.jump = value.trim();
      break;
    case 'json': args.json = true; break;
    case 'verbose': args.verbosity++; break;
    case 'quiet': args.verbosity--; break;
    case 'progress': args.progress = true; break;
    case 'identity':
    case 'known-hosts':
      if (value === '') throw bad('needs a file path');
      if (def.long === 'identity') args.identity = value; else args.knownHosts = value;
      break;
    case 'accept-new-host-key': args.acceptNewHostKey = true; break;
    case 'ftps-implicit': args.ftpsImplicit = true; break;
    case 'ftp-active': args.ftpActive = true; break;
    case 'insecure-tls': args.insecureTls = true; break;
    case 'no-wait': args.noWait = true; break;
    case 'timeout': {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n >= TIMEOUT_RANGE.min && n <= TIMEOUT_RANGE.max)) throw bad(`must be a whole number of seconds from ${TIMEOUT_RANGE.min} to ${TIMEOUT_RANGE.max}`);
      args.timeout = n;
      break;
    }
    case 'tls-fingerprint':
      args.tlsFingerprint = normalizeCertFingerprint(value);
      if (!args.tlsFingerprint) throw bad('must be a SHA-256 certificate fingerprint: SHA256: and 64 hex digits, colons allowed');
      break;
    case 'checksum': args.checksum = true; break;
    case 'retries-sleep':
    case 'max-duration': {
      const ms = parseDuration(value);
      if (ms === undefined || (def.long === 'max-duration' && ms <= 0)) throw bad('must be a duration such as 30s, 10m, 2h or 1h30m');
      if (def.long === 'retries-sleep') args.retriesSleepMs = ms; else args.maxDurationMs = ms;
      break;
    }
    case 'stop-at':
      if (parseClock(value) === undefined) throw bad('must be a time of day HH:MM, e.g. 06:00');
      args.stopAt = value.trim();
      break;
    case 'bwlimit':
      try { parseBandwidth(value, spelled); } catch (e) { throw new UsageError((e as Error).message + '; e.g. --bwlimit 2M or --bwlimit "08:00,512K 19:00,off"', command); }
      args.bwlimit = value;
      break;
    case 'order':
      if (!(TRANSFER_ORDERS as readonly string[]).includes(value)) {
        throw new UsageError(`option ${spelled} must be one of ${TRANSFER_ORDERS.join('|')} (got '${value}')${didYouMean(value, TRANSFER_ORDERS, (s) => s)}`, command);
      }
      args.order = value as TransferOrder;
      break;
    case 'help': args.help = true; break;
    case 'version': args.version = true; break;
  }
}
