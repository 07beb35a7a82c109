// Runs async jobs one after another (vscode-free). A folder's sync operations go through one of
// these so a save never races a full sync over the same state file.

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private count = 0;

  /** jobs queued or running */
  get size(): number {
    return this.count;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    this.count++;
    const result = this.tail.then(job, job);
    this.tail = result.then(() => undefined, () => undefined).finally(() => { this.count--; });
    return result;
  }
}
