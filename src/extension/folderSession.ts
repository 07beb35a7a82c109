// One workspace folder: its config (reloaded when the file changes), the chosen target, and a warm
// connection (engine + targets) opened on first need, closed after the idle timeout and reopened
// transparently on the next use. Sync operations of a folder run one at a time.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { SyncEngine } from '../core/api.js';
import type { Logger, RemoteSpec, Target } from '../core/types.js';
import { SyncError, errorMessage } from '../core/errors.js';
import { userKnownCertificatesFile } from '../core/paths.js';
import { CONFIG_RELATIVE_PATH, loadConfig, targetSpec, type ProjectConfig } from '../core/config/index.js';
import { groupMembers } from '../core/groups/index.js';
import type { Log } from './log.js';
import type { LoginSecrets, Secrets } from './secrets.js';
import type { ActivityModel } from './activity.js';
import type { PlanStore } from './planStore.js';
import { SerialQueue } from './serialQueue.js';
import { loadEngine } from './engineLoader.js';
import { confirmConfigReach } from './reachGate.js';
import { localPathOf, relPathOf, remoteUriParts } from './uriMap.js';
import { configLooksLikeSftpJson, IMPORT_BUTTON } from './import/importSftp.js';

/** the folder an error came from (so "Open Config" opens the right file) */
export const errorOrigin = new WeakMap<object, FolderSession>();

/** what every part of the extension shares (the extension's lifetime) */
export interface Services {
  log: Log;
  secrets: Secrets;
  memento: vscode.Memento;
  activity: ActivityModel;
  store: PlanStore;
}

/** an open connection (the connection's lifetime) */
export interface Live {
  engine: SyncEngine;
  remote: Target;
  spec: RemoteSpec;
  target: string;
  secrets: LoginSecrets;
}

export class FolderSession implements vscode.Disposable {
  readonly key: string;
  readonly log: Logger;
  config: ProjectConfig | undefined;
  configError: string | undefined;
  hasConfigFile = false;
  /** paths whose next save must not upload (the extension is saving them itself) */
  readonly muted = new Set<string>();

  private live: Promise<Live> | undefined;
  /** a server group chosen as target: one connection (and one job queue) per member */
  private readonly memberLive = new Map<string, { live?: Promise<Live>; queue: SerialQueue }>();
  private inflight = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private closeWhenIdle = false;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly queue = new SerialQueue();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(readonly folder: vscode.WorkspaceFolder, private readonly services: Services, multiRoot: () => boolean) {
    this.key = folder.uri.toString();
    this.log = services.log.scoped(() => (multiRoot() ? folder.name : ''));
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, CONFIG_RELATIVE_PATH));
    const onFile = () => this.scheduleReload();
    this.disposables.push(watcher, watcher.onDidCreate(onFile), watcher.onDidChange(onFile), watcher.onDidDelete(onFile));
  }

  get name(): string {
    return this.folder.name;
  }

  get configFile(): string {
    return nodePath.join(this.folder.uri.fsPath, ...CONFIG_RELATIVE_PATH.split('/'));
  }

  get configUri(): vscode.Uri {
    return vscode.Uri.joinPath(this.folder.uri, ...CONFIG_RELATIVE_PATH.split('/'));
  }

  /** (Re)reads the config file. An invalid file leaves the folder without a config (nothing is synced) and names the field. */
  load(notify: boolean): void {
    const before = this.config ? JSON.stringify(this.config) : undefined;
    const beforeError = this.configError;
    this.hasConfigFile = existsSync(this.configFile);
    this.config = undefined;
    this.configError = undefined;
    if (this.hasConfigFile) {
      try {
        this.config = loadConfig(this.configFile);
      } catch (err) {
        this.configError = errorMessage(err);
      }
    }
    const after = this.config ? JSON.stringify(this.config) : undefined;
    if (after !== before) {
      if (before !== undefined || after === undefined) this.retire('the config changed');
      if (this.config) this.log.info(`Config ${before === undefined ? 'loaded' : 'reloaded'}: ${this.configFile} (target "${this.targetName}")`);
      else if (!this.hasConfigFile && before !== undefined) this.log.info(`Config removed: ${this.configFile}`);
    }
    if (this.configError && this.configError !== beforeError) {
      this.log.error(`Invalid config ${this.configFile}: ${this.configError}`);
      if (notify && configLooksLikeSftpJson(this.configFile)) {
        // vscode-sftp's settings pasted in: say so, and offer the conversion
        vscode.window.showWarningMessage(`Remote Sync: .vscode/remote-sync.json in "${this.name}" holds vscode-sftp settings ` +
          '(host, username, remotePath…), which Remote Sync writes differently. Convert them?', IMPORT_BUTTON, 'Open Config')
          .then((pick) => {
            if (pick === IMPORT_BUTTON) void vscode.commands.executeCommand('remoteSync.importSftpConfig', this.folder.uri, this.configUri);
            else if (pick) void vscode.window.showTextDocument(this.configUri);
          });
      } else if (notify) {
        vscode.window.showWarningMessage(`Remote Sync: .vscode/remote-sync.json in "${this.name}" is invalid: ${this.configError}`, 'Open Config')
          .then((pick) => { if (pick) vscode.window.showTextDocument(this.configUri); });
      }
    }
    this.changed.fire();
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => { this.reloadTimer = undefined; this.load(true); }, 150);
  }

  get targetName(): string | undefined {
    if (!this.config) return undefined;
    const chosen = this.services.memento.get<string>(this.mementoKey('target'));
    const known = chosen !== undefined && (Object.hasOwn(this.config.targets, chosen) || groupMembers(this.config, chosen) !== undefined);
    return known ? chosen : this.config.defaultTarget;
  }

  /** the members when the chosen target is a server group (core/groups), else undefined */
  get members(): string[] | undefined {
    return this.config ? groupMembers(this.config, this.targetName) : undefined;
  }

  /**
   * `fn` with the connection of one member of the chosen group: each member has its own engine
   * (its own last-sync state, lock and conflicts) and its own queue, so members run in parallel.
   */
  async useMember<T>(member: string, fn: (live: Live) => Promise<T>): Promise<T> {
    let m = this.memberLive.get(member);
    if (!m) { m = { queue: new SerialQueue() }; this.memberLive.set(member, m); }
    const slot = m;
    this.inflight++;
    this.clearIdle();
    try {
      return await slot.queue.run(async () => {
        slot.live ??= this.openLive(member).catch((err) => { slot.live = undefined; throw err; });
        const live = await slot.live;
        try {
          return await fn(live);
        } catch (err) {
          if (err instanceof SyncError && err.code === 'auth') { await live.secrets.refused(); slot.live = undefined; void live.engine.close().catch(() => undefined); }
          throw err;
        }
      });
    } catch (err) {
      if (typeof err === 'object' && err !== null && !errorOrigin.has(err)) errorOrigin.set(err, this);
      throw err;
    } finally {
      this.inflight--;
      this.afterUse();
    }
  }

  async setTarget(name: string): Promise<void> {
    await this.services.memento.update(this.mementoKey('target'), name === this.config?.defaultTarget ? undefined : name);
    this.log.info(`Target: ${name}`);
    this.retire('the target changed');
    this.changed.fire();
  }

  get uploadOnSave(): boolean {
    if (!this.config) return false;
    return this.services.memento.get<boolean>(this.mementoKey('uploadOnSave')) ?? this.config.uploadOnSave;
  }

  async toggleUploadOnSave(): Promise<boolean> {
    const next = !this.uploadOnSave;
    await this.services.memento.update(this.mementoKey('uploadOnSave'), next === this.config?.uploadOnSave ? undefined : next);
    this.log.info(`Upload on save: ${next ? 'on' : 'off'}`);
    this.changed.fire();
    return next;
  }

  /** the target spec of the chosen target (throws a config error when there is no valid config) */
  spec(name = this.targetName): RemoteSpec {
    return targetSpec(this.requireConfig(), name);
  }

  requireConfig(): ProjectConfig {
    if (this.config) return this.config;
    const err = this.configError
      ? new SyncError('config', `.vscode/remote-sync.json in "${this.name}" is invalid: ${this.configError}`)
      : new SyncError('config', `There is no .vscode/remote-sync.json in "${this.name}"`, { hint: 'Run "Sync: Create Config"' });
    errorOrigin.set(err, this);
    throw err;
  }

  /**
   * Run `fn` with the open connection. Exclusive jobs (anything that writes or records state) run one
   * at a time; reads (the diff view) run beside them.
   */
  async use<T>(fn: (live: Live) => Promise<T>, options: { exclusive?: boolean } = {}): Promise<T> {
    this.inflight++;
    this.clearIdle();
    let live: Live | undefined;
    try {
      const job = async () => { live = await this.connect(); return fn(live); };
      return await (options.exclusive === false ? job() : this.queue.run(job));
    } catch (err) {
      if (typeof err === 'object' && err !== null && !errorOrigin.has(err)) errorOrigin.set(err, this);
      if (live && err instanceof SyncError && err.code === 'auth') {
        await live.secrets.refused();
        this.retire('the login was refused');
      }
      throw err;
    } finally {
      this.inflight--;
      this.afterUse();
    }
  }

  /** `fn` with the connection when one is open (or opening), else undefined: never connects (decorations) */
  async ifConnected<T>(fn: (live: Live) => T | Promise<T>): Promise<T | undefined> {
    const pending = this.live;
    if (!pending) return undefined;
    try {
      return await fn(await pending);
    } catch {
      return undefined;
    }
  }

  private connect(): Promise<Live> {
    this.live ??= this.openLive().catch((err) => { this.live = undefined; throw err; });
    return this.live;
  }

  private async openLive(member?: string): Promise<Live> {
    const config = this.requireConfig();
    const target = member ?? this.targetName ?? config.defaultTarget;
    const spec = targetSpec(config, target);
    await confirmConfigReach(config, spec, this.name, this.services.memento, this.mementoKey('allowedReach'));
    const engineModule = await loadEngine();
    const secrets = this.services.secrets.forLogin(member ? `${this.name} (${member})` : this.name);
    const remote = engineModule.createTarget(spec, {
      credentials: secrets.credentials, log: this.log, concurrency: config.concurrency,
      knownCertificatesFile: userKnownCertificatesFile(),
    });
    const local = engineModule.createTarget({ protocol: 'local', path: config.localRoot });
    const engine = engineModule.createSession({
      local, remote,
      localRoot: config.localRoot,
      remoteId: engineModule.remoteId(spec),
      filter: { match: config.match, exclude: config.ignore, ignoreFiles: config.ignoreFiles },
      log: this.log,
      // one sync at a time per pair: a save or a command waits behind a running sync (CLI or editor)
      lock: { owner: 'VS Code', onWait: (_h, who) => this.log.warn(`Waiting for another sync of these folders to finish: ${who}`) },
      mergeBase: config.mergeBase,
    });
    const started = Date.now();
    try {
      await engine.open();
    } catch (err) {
      if (err instanceof SyncError && err.code === 'auth') await secrets.refused();
      await engine.close().catch(() => undefined);
      throw err;
    }
    await secrets.succeeded();
    this.log.info(`Connected to ${remote.display} in ${Date.now() - started} ms`);
    return { engine, remote, spec, target, secrets };
  }

  /** close the connection now, or when the running operations are done */
  retire(reason: string): void {
    if (this.inflight > 0) this.closeWhenIdle = true;
    else void this.disconnect(reason);
  }

  async disconnect(reason: string): Promise<void> {
    this.clearIdle();
    const members = [...this.memberLive.values()].flatMap((m) => (m.live ? [m.live] : []));
    this.memberLive.clear();
    await Promise.all(members.map(async (p) => {
      try {
        const live = await p;
        await live.engine.close();
        this.log.info(`Disconnected from ${live.remote.display} (${live.target}: ${reason})`);
      } catch { /* it never opened */ }
    }));
    const pending = this.live;
    this.live = undefined;
    if (!pending) return;
    try {
      const live = await pending;
      await live.engine.close();
      this.log.info(`Disconnected from ${live.remote.display} (${reason})`);
    } catch {
      // it never opened: nothing to close
    }
  }

  private afterUse(): void {
    if (this.inflight > 0) return;
    if (this.closeWhenIdle) {
      this.closeWhenIdle = false;
      void this.disconnect('the config or target changed');
      return;
    }
    if (!this.live && !this.memberLive.size) return;
    const seconds = this.config?.idleTimeoutSeconds ?? 300;
    if (seconds <= 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.inflight === 0) void this.disconnect(`idle for ${seconds} s`);
    }, seconds * 1000);
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** engine path of a local URI, or undefined when it is outside the local root (or there is no config) */
  relPath(uri: vscode.Uri): string | undefined {
    if (!this.config) return undefined;
    return relPathOf(this.config.localRoot, uri.fsPath);
  }

  localUri(rel: string): vscode.Uri {
    const abs = localPathOf(this.requireConfig().localRoot, rel);
    const inFolder = relPathOf(this.folder.uri.fsPath, abs);
    if (inFolder === undefined) return vscode.Uri.file(abs);
    return inFolder ? vscode.Uri.joinPath(this.folder.uri, ...inFolder.split('/')) : this.folder.uri;
  }

  remoteUri(rel: string, target = this.targetName ?? ''): vscode.Uri {
    return vscode.Uri.from(remoteUriParts({ folder: this.key, target, path: rel }));
  }

  private mementoKey(what: string): string {
    return `remoteSync.${what}:${this.key}`;
  }

  dispose(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    void this.disconnect('closing');
    for (const d of this.disposables) d.dispose();
  }
}
