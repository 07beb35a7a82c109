// The engine (ssh2, basic-ftp, …) is loaded on first use, not at activation: opening a workspace
// with a config costs a JSON parse, not a module graph.
import type { SessionOptions, SyncEngine } from '../core/api.js';
import type { RemoteSpec, Target } from '../core/types.js';
import type { TargetOptions } from '../core/targets/index.js';

export interface EngineModule {
  createTarget(spec: RemoteSpec, options?: TargetOptions): Target;
  remoteId(spec: RemoteSpec): string;
  createSession(options: SessionOptions): SyncEngine;
}

let loading: Promise<EngineModule> | undefined;

export function loadEngine(): Promise<EngineModule> {
  loading ??= Promise.all([import('../core/targets/index.js'), import('../core/session.js')]).then(([targets, session]) => ({
    createTarget: targets.createTarget,
    remoteId: targets.remoteId,
    createSession: (options: SessionOptions) => new session.SyncSession(options),
  }));
  loading.catch(() => { loading = undefined; });
  return loading;
}
