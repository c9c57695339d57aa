// Reading values the core hands back: whether a reason is an AbortError, which reason a
// cancelled handle carries, and a short text for violation messages.
import type { Task } from "../../mod.ts";

/** Core default reasons are DOMExceptions named AbortError; so is one kind of work's. */
export const isAbortError = (value: unknown): boolean =>
  (value as { name?: unknown } | null)?.name === "AbortError";

/** The cancellation reason the core gave `task`, if it was cancelled. */
export function reasonOf(task: Task<unknown>): unknown {
  const result = task.result;
  return result?.status === "cancelled" ? result.reason : undefined;
}

/** Errors by name and message (JSON would print `{}`), anything else as JSON if it can. */
export function describe(value: unknown): string {
  if (value instanceof Error || value instanceof DOMException) {
    return `${value.name}(${value.message})`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
