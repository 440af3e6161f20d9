// One request a page or a form makes, as the screen shows it: busy while it runs, settled once it has
// answered (loaded or refused), and the API's reason in lines a person can read. The try/catch/finally
// every page used to copy lives here once; the pure part (what an error says) is lib/api.ts errorLines.
import { errorLines } from './api.ts';

export class Task {
  /** a request is running: its button is disabled */
  busy = $state(false);
  /** the first run has answered, either way (a list may say "nothing yet" only then) */
  settled = $state(false);
  /** the API's reason for the last failure, one line per problem; empty after a success */
  errors: string[] = $state([]);

  /**
   * Runs `fn`: busy meanwhile, errors cleared before and set from a failure (never thrown), the result
   * on success. `keepErrors` leaves a previous failure shown while a refresh runs.
   */
  async run<T>(fn: () => Promise<T>, opts: { keepErrors?: boolean } = {}): Promise<T | undefined> {
    this.busy = true;
    if (!opts.keepErrors) this.errors = [];
    try {
      const value = await fn();
      this.errors = [];
      return value;
    } catch (err) {
      this.errors = errorLines(err);
      return undefined;
    } finally {
      this.busy = false;
      this.settled = true;
    }
  }

  /** the first run has not answered yet */
  get loading(): boolean {
    return !this.settled;
  }

  fail(lines: string[]): void {
    this.errors = lines;
  }

  clear(): void {
    this.errors = [];
  }
}
