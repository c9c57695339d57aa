// The registry behind `GracefulShutdown.defer` and `.use`: named steps, closed once
// cleanup starts.
import type { CleanupStep } from "./_drain.ts";
import { validateFunction, validateName } from "./_validate.ts";
import { ClosedError } from "./errors.ts";

/** Registered cleanup steps, in registration order. */
export class CleanupSteps {
  readonly list: CleanupStep[] = [];
  #closed = false;

  /** Adds a step; named after `fn` or its position when no name is given. */
  defer(fn: (signal: AbortSignal) => unknown, name?: string): void {
    validateFunction(fn, "fn");
    if (name !== undefined) validateName(name, "name");
    const stepName = name ?? (fn.name || `cleanup #${this.list.length + 1}`);
    if (this.#closed) {
      throw new ClosedError(stepName, {
        kind: "cleanup step",
        because: "the GracefulShutdown's cleanup has already started",
      });
    }
    this.list.push({ name: stepName, run: fn });
  }

  /** Adds a step that disposes `resource`; returns it. */
  use<R extends AsyncDisposable | Disposable>(resource: R, name?: string): R {
    const dispose =
      (resource as Partial<AsyncDisposable>)?.[Symbol.asyncDispose] ??
        (resource as Partial<Disposable>)?.[Symbol.dispose];
    if (typeof dispose !== "function") {
      throw new TypeError(
        "Cannot use resource: it has neither [Symbol.asyncDispose] nor [Symbol.dispose]",
      );
    }
    this.defer(
      () => dispose.call(resource),
      name ?? resource.constructor?.name ?? "resource",
    );
    return resource;
  }

  /** Whether cleanup has started. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Refuses further steps: cleanup has started. */
  close(): void {
    this.#closed = true;
  }
}
