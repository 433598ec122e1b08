// Work started after a response was sent (e.g. the first checks of a new domain). Tracked so
// that shutdown waits for it instead of cutting it off mid-append.
export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  run(task: () => Promise<unknown>): void {
    const p = task()
      .catch(this.onError)
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
