// The registry behind `GracefulShutdown.defer` and `.use`: named steps with an optional
// budget and phase, closed once cleanup starts.
import type { CleanupStep } from "./_drain.ts";
import type { StepOptions } from "./step_options.ts";
import {
  describe,
  validateFunction,
  validateMs,
  validateName,
  validateOptions,
} from "./_validate.ts";

const STEP_OPTIONS = [
  "name",
  "timeout",
  "phase",
] as const satisfies ReadonlyArray<
  keyof StepOptions
>;

/** Validates a step's options, given as a name or an options object. */
function stepOptions(
  options: string | StepOptions | undefined,
): StepOptions {
  if (options === undefined) return {};
  if (typeof options === "string") {
    validateName(options, "name");
    return { name: options };
  }
  validateOptions(options, "options", STEP_OPTIONS);
  if (options.name !== undefined) validateName(options.name, "options.name");
  if (options.timeout !== undefined) {
    validateMs(options.timeout, "options.timeout");
  }
  const phase = options.phase;
  if (phase !== undefined && phase !== "cleanup" && phase !== "flush") {
    throw new TypeError(
      `Cannot use options.phase: expected "cleanup" or "flush", got ${
        describe(phase)
      }`,
    );
  }
  return options;
}
import { ClosedError } from "./errors.ts";

/** Registered cleanup steps, in registration order. */
export class CleanupSteps {
  readonly list: CleanupStep[] = [];
  #closed = false;

  /** Adds a step; named after `fn` or its position when no name is given. */
  defer(
    fn: (signal: AbortSignal) => unknown,
    options?: string | StepOptions,
  ): void {
    validateFunction(fn, "fn");
    const { name, timeout, phase } = stepOptions(options);
    const stepName = name ?? (fn.name || `cleanup #${this.list.length + 1}`);
    if (this.#closed) {
      throw new ClosedError(stepName, {
        kind: "cleanup step",
        because: "the GracefulShutdown's cleanup has already started",
      });
    }
    this.list.push({
      name: stepName,
      run: fn,
      timeout: timeout ?? Infinity,
      phase: phase ?? "cleanup",
    });
  }

  /** Adds a step that disposes `resource`; returns it. */
  use<R extends AsyncDisposable | Disposable>(
    resource: R,
    options?: string | StepOptions,
  ): R {
    const dispose =
      (resource as Partial<AsyncDisposable>)?.[Symbol.asyncDispose] ??
        (resource as Partial<Disposable>)?.[Symbol.dispose];
    if (typeof dispose !== "function") {
      throw new TypeError(
        "Cannot use resource: it has neither [Symbol.asyncDispose] nor [Symbol.dispose]",
      );
    }
    const settings = stepOptions(options);
    this.defer(() => dispose.call(resource), {
      ...settings,
      name: settings.name ?? resource.constructor?.name ?? "resource",
    });
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
