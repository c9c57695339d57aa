// The report's counts: what the shutdown's parts ended on purpose, by what, such as the
// connections `./http` closed that carried no request. Kept from the first signal until
// the report is made, as failures are: a count outside that window would describe no
// shutdown, and a long-lived process must not grow a map it never reports.
import { describe, validateName } from "./_validate.ts";

/** The counts of one shutdown. */
export class ReportCounts {
  #counts: Map<string, number> | undefined;
  #closed = false;

  /** The shutdown began: counts are kept from now on. */
  open(): void {
    if (!this.#closed) this.#counts ??= new Map();
  }

  /**
   * Adds `amount` to `what`. Checked whether or not it is kept, so a bad call fails the
   * same way before, during and after a shutdown. Returns whether it was kept.
   */
  add(what: unknown, amount: unknown): boolean {
    const key = validateName(what, "what");
    if (typeof amount !== "number") {
      throw new TypeError(
        `Cannot use amount: expected a whole number, got ${describe(amount)}`,
      );
    }
    if (!Number.isSafeInteger(amount) || amount < 0) {
      throw new RangeError(
        `Cannot use amount: expected a whole number from 0, got ${amount}`,
      );
    }
    if (this.#counts === undefined || this.#closed) return false;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + amount);
    return true;
  }

  /** The report is made: what was counted, as a plain object; later counts are not kept. */
  close(): Readonly<Record<string, number>> {
    this.#closed = true;
    return Object.freeze(Object.fromEntries(this.#counts ?? []));
  }
}
