// Playwright helpers for the VS Code workbench served by code-server. Every helper waits for a
// condition (never a fixed sleep) and fails with what it saw.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT } from './code-server';

export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS_DIR = join(REPO_ROOT, 'test-results/e2e');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];

/** Why the browser cannot run here, or undefined. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set E2E_CHROMIUM)`;
}

/** Headless unless E2E_HEADED=1 (then run under `xvfb-run -a`, or with a DISPLAY); E2E_SLOWMO=ms slows every action. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: process.env.E2E_HEADED !== '1',
    slowMo: Number(process.env.E2E_SLOWMO) || undefined,
    args: CHROMIUM_ARGS,
  });
}

/** Polls `check` until it returns a truthy value; throws naming `what` after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) { lastErr = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (${(lastErr as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const exact = (s: string) => new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
const clean = (s: string) => s.replace(/\u00a0/g, ' ');
type Text = string | RegExp;

export interface OpenOptions {
  /** Prefix of the screenshot file names (e.g. the test file's name); a previous run's screenshots with it are removed. */
  name?: string;
  timeoutMs?: number;
  viewport?: { width: number; height: number };
}

export class Workbench {
  /** Page errors and console errors, for failure messages. */
  readonly consoleErrors: string[] = [];
  private shots = 0;

  private constructor(readonly page: Page, readonly context: BrowserContext, readonly name: string) {
    page.on('pageerror', (e) => this.consoleErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') this.consoleErrors.push(m.text()); });
  }

  /** Opens the workbench at `url` in a new browser context and waits until it is usable. */
  static async open(browser: Browser, url: string, opts: OpenOptions = {}): Promise<Workbench> {
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    context.setDefaultTimeout(opts.timeoutMs ?? 20_000);
    const page = await context.newPage();
    const wb = new Workbench(page, context, opts.name ?? 'e2e');
    // this run's screenshots replace the previous run's of the same name
    if (existsSync(SHOTS_DIR)) for (const f of readdirSync(SHOTS_DIR)) if (f.startsWith(`${wb.name}-`) && f.endsWith('.png')) rmSync(join(SHOTS_DIR, f));
    await page.goto(url);
    await wb.waitReady(opts.timeoutMs ?? 60_000);
    return wb;
  }

  /** The workbench is rendered, the folder is open in the explorer, and the status bar is there. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const p = this.page;
    await p.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await p.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
    await p.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: timeoutMs });
    // The explorer's progress bar runs while the folder is being resolved over the server connection.
    await waitUntil(async () => !(await p.locator('.explorer-viewlet .monaco-progress-container.active').isVisible()), 'the explorer to load', timeoutMs);
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  // ---- quick input: command palette and quick open --------------------------------------------

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  async closeQuickInput(): Promise<void> {
    for (let i = 0; i < 3 && (await this.quickInput.isVisible()); i++) {
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
    }
  }

  /** Opens the quick input with the command palette's ">" prefix; tries F1, Ctrl+Shift+P, then focusing the editor area first. */
  private async openPalette(): Promise<Locator> {
    await this.closeQuickInput();
    const attempts: (() => Promise<void>)[] = [
      () => this.page.keyboard.press('F1'),
      () => this.page.keyboard.press('Control+Shift+P'),
      async () => { await this.page.locator('.part.editor').click({ position: { x: 5, y: 5 } }); await this.page.keyboard.press('F1'); },
    ];
    for (const attempt of attempts) {
      await attempt();
      const ok = await this.quickInput.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false);
      if (ok) return this.quickInput.locator('.quick-input-box input');
    }
    throw new Error('the command palette did not open (F1, Ctrl+Shift+P)');
  }

  /**
   * Opens the palette and types `text` into it, then waits for `row`. The workbench can take the focus back
   * just after the palette opened (an editor or a notification settling after a save), which closes the
   * quick input: then it is opened again, up to three times. Returns false when the row never showed.
   */
  private async typeInPalette(text: string, row: Locator, timeoutMs: number): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const input = await this.openPalette();
      const last = attempt === 3;
      try {
        await input.fill(text, { timeout: last ? 20_000 : 5000 });
      } catch (e) {
        if (!last && !(await this.quickInput.isVisible())) continue; // closed under us: open it again
        throw e;
      }
      if (await row.waitFor({ state: 'visible', timeout: timeoutMs }).then(() => true, () => false)) return true;
      if (last || (await this.quickInput.isVisible())) return false;
    }
  }

  /** Rows of the quick input list whose label is exactly `label` (or matches a RegExp). */
  private rows(label: Text): Locator {
    const re = typeof label === 'string' ? exact(label) : label;
    return this.quickInput.locator('.monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: re }) });
  }

  private async visibleLabels(): Promise<string[]> {
    return (await this.quickInput.locator('.monaco-list-row .label-name').allInnerTexts()).map(clean);
  }

  /**
   * Runs a command by its palette title, category included ("Sync: Bidirectional"), clicking the row whose
   * label is exactly that title (Enter would run the first row, which may be a recently used, longer match).
   */
  async runCommand(title: string, timeoutMs = 10_000): Promise<void> {
    const row = this.rows(title).first();
    if (!(await this.typeInPalette(`>${title}`, row, timeoutMs))) {
      const seen = await this.visibleLabels();
      await this.closeQuickInput();
      throw new Error(`command "${title}" is not in the palette; it shows: ${JSON.stringify(seen)}`);
    }
    await row.click();
    await this.quickInputDone(`>${title}`);
  }

  /** Waits until the quick input has closed, or shows another prompt (a command that opens a quick pick reuses the widget). */
  private async quickInputDone(value: string): Promise<void> {
    const input = this.quickInput.locator('.quick-input-box input');
    await waitUntil(async () => !(await this.quickInput.isVisible()) || (await input.inputValue()) !== value,
      `the quick input to accept "${value}"`, 10_000);
  }

  /** After a command opened a quick pick (showQuickPick / showInputBox): pick the row labelled `label`, or type and accept. */
  async pickQuickInput(label: Text): Promise<void> {
    await this.quickInput.waitFor({ state: 'visible' });
    const row = this.rows(label).first();
    const title = await row.getAttribute('aria-label');
    await row.click();
    await waitUntil(async () => !(await this.quickInput.isVisible()) || !(await row.isVisible()) || (await row.getAttribute('aria-label')) !== title,
      `the quick pick to accept ${String(label)}`, 10_000);
  }

  async answerInputBox(text: string): Promise<void> {
    await this.quickInput.waitFor({ state: 'visible' });
    await this.quickInput.locator('.quick-input-box input').fill(text);
    await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden' });
  }

  /** Opens a workspace file through quick open (its path relative to the folder) and waits for its editor to be active. */
  async openFile(relPath: string): Promise<void> {
    const base = relPath.split('/').pop()!;
    const dir = relPath.includes('/') ? relPath.slice(0, relPath.lastIndexOf('/')) : '';
    let row = this.rows(base);
    if (dir) row = row.filter({ has: this.page.locator('.label-description', { hasText: dir }) });
    if (!(await this.typeInPalette(relPath, row.first(), 15_000))) { // no ">": file search
      const seen = await this.visibleLabels();
      await this.closeQuickInput();
      throw new Error(`quick open found no "${relPath}"; it shows: ${JSON.stringify(seen)}`);
    }
    await row.first().click();
    await this.quickInput.waitFor({ state: 'hidden' });
    await this.activeTab(base).waitFor({ state: 'visible' });
    await this.activeEditor().waitFor({ state: 'visible' });
  }

  // ---- editors --------------------------------------------------------------------------------

  /** The active tab, optionally only when its title is exactly `title`. */
  activeTab(title?: Text): Locator {
    const tab = this.page.locator('.editor-group-container.active .tab.active');
    return title === undefined ? tab : tab.filter({ has: this.page.locator('.label-name', { hasText: typeof title === 'string' ? exact(title) : title }) });
  }

  async activeTabTitle(): Promise<string> {
    return clean(await this.activeTab().locator('.label-name').innerText());
  }

  async tabTitles(): Promise<string[]> {
    return (await this.page.locator('.tabs-container .tab .label-name').allInnerTexts()).map(clean);
  }

  /** The text editor of the active group (in a diff editor: its modified, right-hand side). */
  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor:not(.original-in-monaco-diff-editor)').first();
  }

  /** Clicks into the active editor unless it has keyboard focus, and waits for the focus (typing before that is lost in code-server). */
  async focusEditor(): Promise<void> {
    const ed = this.activeEditor();
    if (await ed.evaluate((e) => e.classList.contains('focused'))) return; // a click would move the cursor
    await ed.locator('.view-lines').click({ position: { x: 10, y: 5 } });
    await waitUntil(() => ed.evaluate((e) => e.classList.contains('focused')), 'the editor to take focus', 5000);
  }

  /** Types into the active editor, at the end of the text (default), its start, or replacing all of it. Newlines are Enter key presses. */
  async typeInEditor(text: string, at: 'end' | 'start' | 'replace' = 'end'): Promise<void> {
    await this.focusEditor();
    const k = this.page.keyboard;
    if (at === 'replace') { await k.press('Control+A'); await k.press('Delete'); }
    else await k.press(at === 'end' ? 'Control+End' : 'Control+Home');
    await k.type(text);
  }

  /** Saves the active editor (Ctrl+S) and waits until its tab is no longer dirty. */
  async save(): Promise<void> {
    const tab = this.activeTab();
    await this.focusEditor();
    await this.page.keyboard.press('Control+S');
    await waitUntil(async () => !(await tab.evaluate((t) => t.classList.contains('dirty'))), 'the saved editor to be clean', 10_000);
  }

  /** The visible lines of the active editor (long files: only what is scrolled into view). */
  async editorText(): Promise<string> {
    return clean(await this.activeEditor().locator('.view-lines').innerText());
  }

  /** The diff editor of the active group. */
  diffEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-diff-editor');
  }

  async isDiffEditorOpen(): Promise<boolean> {
    return this.diffEditor().isVisible();
  }

  /** Waits for a diff editor to be the active editor (titled `title` if given: "a.txt (remote ↔ local)"); returns its tab title. */
  async waitForDiffEditor(title?: Text, timeoutMs = 20_000): Promise<string> {
    await this.diffEditor().waitFor({ state: 'visible', timeout: timeoutMs });
    if (title !== undefined) await this.activeTab(title).waitFor({ state: 'visible', timeout: timeoutMs });
    return this.activeTabTitle();
  }

  /** The visible text of both sides of the active diff editor. */
  async diffTexts(): Promise<{ original: string; modified: string }> {
    const d = this.diffEditor();
    const original = clean(await d.locator('.editor.original .view-lines').innerText());
    const modified = clean(await d.locator('.editor.modified .view-lines').innerText());
    return { original, modified };
  }

  /** Clicks an action in the active editor's title bar by its label/tooltip (substring); looks in "More Actions..." when it is not inline. */
  async clickEditorTitleAction(label: string): Promise<void> {
    const bar = this.page.locator('.editor-group-container.active .title .editor-actions');
    const inline = bar.getByRole('button', { name: label }).first();
    // a diff that just opened renders its title actions a moment later
    await inline.waitFor({ state: 'visible', timeout: 5000 }).catch(() => undefined);
    if (await inline.isVisible()) { await inline.click(); return; }
    const more = bar.getByRole('button', { name: 'More Actions...' }).first();
    if (!(await more.isVisible())) {
      const seen = await bar.locator('.action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.getAttribute('title')));
      throw new Error(`no editor title action "${label}"; the title bar has: ${JSON.stringify(seen)}`);
    }
    await more.click();
    const item = this.page.locator('.monaco-menu .action-item').filter({ has: this.page.locator('.action-label', { hasText: label }) }).first();
    await item.click();
  }

  // ---- status bar, notifications, output --------------------------------------------------------

  async statusBarText(): Promise<string[]> {
    return (await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts()).map((t) => clean(t).trim()).filter(Boolean);
  }

  /** Waits for a status bar item whose text contains `text`; returns its full text. */
  async waitForStatusBar(text: Text, timeoutMs = 20_000): Promise<string> {
    const item = this.page.locator('.part.statusbar .statusbar-item').filter({ hasText: text }).first();
    try {
      await item.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      throw new Error(`no status bar item with ${String(text)}; the status bar shows: ${JSON.stringify(await this.statusBarText())}`);
    }
    return clean(await item.innerText()).trim();
  }

  private notificationItems(text?: Text): Locator {
    const items = this.page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item');
    return text === undefined ? items : items.filter({ has: this.page.locator('.notification-list-item-message', { hasText: text }) });
  }

  /** Messages of the notifications on screen (toasts, and the notification center when open). */
  async notifications(): Promise<string[]> {
    return (await this.notificationItems().locator('.notification-list-item-message').allInnerTexts()).map(clean);
  }

  /** Waits for a notification whose message contains `text`; looks in the notification center too, in case the toast has been hidden. */
  async waitForNotification(text: Text, timeoutMs = 20_000): Promise<string> {
    const item = this.notificationItems(text).first();
    const ok = await item.waitFor({ state: 'visible', timeout: timeoutMs }).then(() => true, () => false);
    if (!ok) {
      await this.runCommand('Notifications: Show Notifications');
      const again = await item.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false);
      if (!again) throw new Error(`no notification with ${String(text)}; on screen: ${JSON.stringify(await this.notifications())}`);
    }
    return clean(await item.locator('.notification-list-item-message').innerText());
  }

  /** Clicks the button `label` of a notification (the one whose message contains `message`, if given) and waits for it to close. */
  async clickNotificationButton(label: string, message?: Text): Promise<void> {
    const item = this.notificationItems(message).filter({ has: this.page.locator('.monaco-button', { hasText: exact(label) }) }).first();
    await item.waitFor({ state: 'visible' });
    await item.locator('.monaco-button', { hasText: exact(label) }).first().click();
    await item.waitFor({ state: 'hidden' });
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** Waits for a modal dialog (show*Message with { modal: true }) whose text contains `text`; returns its message. */
  async waitForDialog(text?: Text, timeoutMs = 20_000): Promise<string> {
    const box = this.page.locator('.monaco-dialog-box');
    await (text === undefined ? box : box.filter({ hasText: text })).first().waitFor({ state: 'visible', timeout: timeoutMs });
    return clean(await box.locator('.dialog-message-text').first().innerText());
  }

  /** Clicks the button `label` of the open modal dialog and waits for it to close. */
  async clickDialogButton(label: string): Promise<void> {
    const box = this.page.locator('.monaco-dialog-box');
    await box.locator('.dialog-buttons .monaco-button', { hasText: exact(label) }).first().click();
    await box.waitFor({ state: 'hidden' });
  }

  /** Shows an output channel in the panel ("Remote Sync"). */
  async showOutput(channel: string): Promise<void> {
    await this.runCommand('Output: Show Output Channels...');
    await this.pickQuickInput(channel);
    await this.page.locator('.part.panel .output-view').waitFor({ state: 'visible' }).catch(() => undefined);
  }

  /** The visible text of the output panel (the whole log is more reliably read from disk: CodeServer.logText). */
  async outputText(): Promise<string> {
    return clean(await this.page.locator('.part.panel .monaco-editor .view-lines').first().innerText());
  }

  // ---- screenshots --------------------------------------------------------------------------

  /** Saves test-results/e2e/<name>-NN-<step>.png and returns its path. */
  async screenshot(step: string): Promise<string> {
    mkdirSync(SHOTS_DIR, { recursive: true });
    const n = String(++this.shots).padStart(2, '0');
    const file = join(SHOTS_DIR, `${this.name}-${n}-${step}`.replace(/[^\w.-]+/g, '_') + '.png');
    await this.page.screenshot({ path: file, animations: 'disabled' });
    return file;
  }
}
