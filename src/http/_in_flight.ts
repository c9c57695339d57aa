// The requests a server has in flight, oldest first. A doubly linked list through the
// requests themselves: adding and removing one costs two pointer writes, where a `Set`
// hashes each new object (its identity hash is created on first use), on every request.

/** What the list links: the request's own two pointers and whether it is listed. */
export interface InFlightEntry {
  prevInFlight: InFlightEntry | undefined;
  nextInFlight: InFlightEntry | undefined;
  listed: boolean;
}

/** The list. Iterating it while entries are removed is safe; entries added meanwhile are not visited. */
export class InFlightList<T extends InFlightEntry> implements Iterable<T> {
  #first: T | undefined;
  #last: T | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(entry: T): void {
    entry.listed = true;
    entry.prevInFlight = this.#last;
    entry.nextInFlight = undefined;
    if (this.#last === undefined) this.#first = entry;
    else this.#last.nextInFlight = entry;
    this.#last = entry;
    this.#size++;
  }

  delete(entry: T): void {
    if (!entry.listed) return;
    entry.listed = false;
    const { prevInFlight: prev, nextInFlight: next } = entry;
    if (prev === undefined) this.#first = next as T | undefined;
    else prev.nextInFlight = next;
    if (next === undefined) this.#last = prev as T | undefined;
    else next.prevInFlight = prev;
    // Cleared: a request kept alive by its caller must not keep later ones alive.
    entry.prevInFlight = entry.nextInFlight = undefined;
    this.#size--;
  }

  /** Whether an entry matches, without copying the list (nothing may change meanwhile). */
  some(match: (entry: T) => boolean): boolean {
    for (let e = this.#first; e !== undefined; e = e.nextInFlight as T) {
      if (match(e)) return true;
    }
    return false;
  }

  /** The entries listed now, oldest first; those removed meanwhile are skipped. */
  *[Symbol.iterator](): Iterator<T> {
    const now: T[] = [];
    for (let e = this.#first; e !== undefined; e = e.nextInFlight as T) {
      now.push(e);
    }
    for (const entry of now) if (entry.listed) yield entry;
  }
}
