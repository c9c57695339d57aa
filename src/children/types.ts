// The public types of a child process: how it ended, where its streams go, what stops it.
// In a file of their own so the adapters (`_hosts.ts`) and the input checks share them.

/** How a child process ended: `code` when it exited, `signal` when a signal ended it. */
export interface ChildExit {
  /** The exit code, or `null` when a signal ended the process. */
  readonly code: number | null;
  /** The signal that ended the process (`"SIGTERM"`, `"SIGKILL"`...), or `null`. */
  readonly signal: string | null;
}

/** Where a standard stream of the child goes. */
export type ChildStdio = "inherit" | "piped" | "null";

/** The signals a child can be asked to stop with. */
export type StopSignal =
  | "SIGTERM"
  | "SIGINT"
  | "SIGHUP"
  | "SIGQUIT"
  | "SIGUSR1"
  | "SIGUSR2"
  | "SIGKILL";
