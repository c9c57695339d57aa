// What the model remembers: one record per spawned task (what its work does, what the
// work has done, and the status the model predicts for its handle), and one per failure,
// pending waitAll, awaited handle, queued promise reaction and join in progress.
import type { Task, TaskStatus } from "../../mod.ts";
import type { Outcome } from "./outcome.ts";

/** How a task's work is made. */
export type Kind =
  | "gated"
  | "syncValue"
  | "syncThrow"
  | "asyncValue"
  | "asyncFail";
/** What gated work does when its signal aborts. */
export type Reaction = "ignore" | "echo" | "resolve" | "throw" | "domAbort";
/** What the cancellation reason of a handle must be. */
export type ReasonSpec = { exact: unknown } | { abortMessage: string };

export interface Rec {
  id: number;
  name: string;
  kind: Kind;
  reaction: Reaction;
  task: Task<unknown>;
  /** Spawn order among accepted spawns: joinAll returns values in this order. */
  seq: number;
  fnCalls: number;
  /** The work listened to its signal (what the core reports as `observedSignal`). */
  looked: boolean;
  gate: PromiseWithResolvers<unknown> | undefined;
  sawAbort: boolean;
  abortReason: unknown;
  /** Spawned into a cancelled group: its work runs with an aborted signal, and any cancel
   * of its handle uses the group's reason. */
  bornCancelled: ReasonSpec | undefined;
  // The model:
  work: "none" | "pending" | "ok" | "err";
  outcome: unknown;
  status: TaskStatus;
  reason: ReasonSpec | undefined;
  finished: boolean;
  awaited: boolean;
  joined: boolean;
}

/** A record for a task about to be spawned; `task` is set once the spawn is accepted. */
export function newRec(id: number, kind: Kind, reaction: Reaction): Rec {
  return {
    id,
    name: `t${id}`,
    kind,
    reaction,
    seq: 0,
    fnCalls: 0,
    looked: false,
    gate: undefined,
    sawAbort: false,
    abortReason: undefined,
    bornCancelled: undefined,
    work: "none",
    outcome: undefined,
    status: "running",
    reason: undefined,
    finished: false,
    awaited: false,
    joined: false,
  } as Omit<Rec, "task"> as Rec;
}

/**
 * The reason task.abort(reason) gives a handle: the reason itself, or without one the
 * core's default AbortError naming the task; a task born into a cancelled group keeps the
 * group's reason.
 */
export function abortSpec(rec: Rec, reason: unknown): ReasonSpec {
  if (rec.bornCancelled) return rec.bornCancelled;
  return reason === undefined
    ? { abortMessage: "The task was cancelled." }
    : { exact: reason };
}

export interface Failure {
  rec: Rec;
  error: unknown;
  /** The work failed after its handle was cancelled: nobody joins or awaits it. */
  late: boolean;
  /** The failure came after shutdown began: it belongs in the shutdown report. */
  afterTrigger: boolean;
}

export interface WaitEntry {
  /** Nothing was running at the call: resolves at once, whatever is spawned after. */
  immediate: boolean;
  timeout: number;
  result?: string;
}

export interface AwaitEntry {
  rec: Rec;
  outcome: Outcome;
}

/** A reaction the core queued on a work's promise, replayed by the model after a flush. */
export interface Job {
  rec: Rec;
  ok: boolean;
  outcome: unknown;
}

export interface NextJoiner {
  kind: "next";
  taken: Rec | undefined;
  done: boolean;
  outcome: Outcome;
}

export interface AllJoiner {
  kind: "all";
  taken: Rec[];
  done: boolean;
  /** Parked on a join waiter (the next settle is handed over directly), not mid-loop. */
  waiting: boolean;
  rejected: unknown;
  outcome: Outcome;
}

/** The joinNext() or joinAll() in progress (the harness runs one at a time). */
export type Joiner = NextJoiner | AllJoiner;
