// The one table of the OS signals quiesce knows. Everything else is derived from it: the
// names a host source accepts and the message naming them (signals.ts), the default
// listeners, main()'s exit codes and forcing rule (src/main/_exit_code.ts, _policy.ts), the
// triggers `manualSignals` accepts, and the README's signal table (tests/signal_table_test.ts
// checks that the README prints this table).

/** One row of {@linkcode SIGNALS}. */
export interface SignalRow {
  /** The name; `OsSignal` (src/signals.ts) is the union of these, checked there. */
  readonly name: string;
  /**
   * The signal's number, so an exit after it is 128 + number, what a shell reports for a
   * process the signal ended. Linux numbers (SIGUSR2 is 31 on macOS); SIGBREAK is Windows'.
   */
  readonly number: number;
  /** Listened to by default (`hostSignals()`), or only when asked for. */
  readonly listened: "default" | "opt-in";
  /** Who sends it, for the README. */
  readonly sentBy: string;
}

/** The signals, in the order of the README's table. */
export const SIGNALS = [
  {
    name: "SIGINT",
    number: 2,
    listened: "default",
    sentBy: "Ctrl+C; Deno Deploy's stop",
  },
  {
    name: "SIGTERM",
    number: 15,
    listened: "default",
    sentBy: "Kubernetes, Docker, systemd, `kill`",
  },
  {
    name: "SIGHUP",
    number: 1,
    listened: "opt-in",
    sentBy: "a closed terminal; a reload",
  },
  { name: "SIGQUIT", number: 3, listened: "opt-in", sentBy: "Ctrl+\\" },
  {
    name: "SIGUSR2",
    number: 12,
    listened: "opt-in",
    sentBy: "nodemon's and pm2's restart",
  },
  {
    name: "SIGBREAK",
    number: 21,
    listened: "opt-in",
    sentBy: "Ctrl+Break on Windows",
  },
] as const satisfies readonly SignalRow[];

/** The name of a signal in the table. */
export type SignalName = typeof SIGNALS[number]["name"];

/**
 * What a second signal means, the same for every row: a repeat of the same signal within
 * the repeat window (src/_repeat.ts) is a task runner's copy of the first and is ignored;
 * any later one, or a different one, forces the exit (main()) or gets the runtime's default
 * action (a `GracefulShutdown` without `onSecondSignal`).
 */
export const SECOND_SIGNAL = "forces the exit" as const;

/** Every name in the table. */
export const OS_SIGNALS: readonly SignalName[] = SIGNALS.map((row) => row.name);

/** The signals `hostSignals()` listens to when not told otherwise. */
export const DEFAULT_SIGNALS: readonly SignalName[] = SIGNALS
  .filter((row) => row.listened === "default").map((row) => row.name);

/** The row of `name`, if it is an OS signal quiesce knows. */
function signalRow(name: unknown): SignalRow | undefined {
  return SIGNALS.find((row) => row.name === name);
}

/** The exit code a shell reports after `name` ended a process (128 + n); else `undefined`. */
export function signalExitCode(name: unknown): number | undefined {
  const row = signalRow(name);
  return row === undefined ? undefined : 128 + row.number;
}

/** `"SIGINT", "SIGTERM", ...`: the names for an error message. */
export function listSignalNames(): string {
  return OS_SIGNALS.map((name) => `"${name}"`).join(", ");
}
