// The large-file settings (core/transfer/policy.ts) a project config gives. Kept apart from the
// transfer code so that the extension can read them at activation without loading the engine.
import type { TransferSettings } from '../transfer/policy.js';
import type { ProjectConfig } from './types.js';

/** The large-file settings a project config gives (the CLI's flags go over them; the extension uses them as they are). */
export function configTransferSettings(config?: Pick<ProjectConfig, 'bandwidthLimit' | 'transferOrder' | 'verify' | 'resumeAbove'>): TransferSettings {
  const t: TransferSettings = {};
  if (config?.resumeAbove !== undefined) t.resumeAbove = config.resumeAbove;
  if (config?.bandwidthLimit !== undefined) t.bandwidthLimit = config.bandwidthLimit;
  if (config?.transferOrder) t.order = config.transferOrder;
  if (config?.verify) t.verify = config.verify;
  return t;
}
