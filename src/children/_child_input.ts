// Checking and showing what spawnChild is given: the stop signals, standard stream modes,
// arguments and environment, and the command line as reports name it.
import { describe } from "../_validate.ts";
import type { ChildStdio, StopSignal } from "./types.ts";

/** Every {@linkcode StopSignal}, to check an option against. */
export const STOP_SIGNALS: readonly StopSignal[] = [
  "SIGTERM",
  "SIGINT",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
  "SIGKILL",
];

/** Every {@linkcode ChildStdio} mode. */
export const STDIO: readonly ChildStdio[] = ["inherit", "piped", "null"];
/** Longer command lines are cut in reports. */
const MAX_COMMAND_CHARS = 120;

/** The command line as a shell would read it, cut at {@linkcode MAX_COMMAND_CHARS}. */
export function commandLine(command: string, args: readonly string[]): string {
  const quote = (word: string) =>
    /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
  const line = [command, ...args].map(quote).join(" ");
  return line.length <= MAX_COMMAND_CHARS
    ? line
    : `${line.slice(0, MAX_COMMAND_CHARS - 1)}…`;
}

/** `value` if it is one of `allowed`, `fallback` if undefined; a TypeError otherwise. */
export function oneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (allowed.includes(value as T)) return value as T;
  throw new TypeError(
    `Cannot use ${name}: expected one of ${
      allowed.map((a) => `"${a}"`).join(", ")
    }, got ${describe(value)}`,
  );
}

/** Throws unless `args` is undefined or an array of strings. */
export function validateArgs(args: unknown): readonly string[] {
  if (args === undefined) return [];
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== "string")) {
    throw new TypeError(
      `Cannot use args: expected an array of strings, got ${describe(args)}`,
    );
  }
  return args;
}

/** Throws unless `env` is undefined or an object of strings. */
export function validateEnv(env: unknown): Record<string, string> | undefined {
  if (env === undefined) return undefined;
  if (
    env === null || typeof env !== "object" ||
    Object.values(env).some((value) => typeof value !== "string")
  ) {
    throw new TypeError(
      `Cannot use options.env: expected an object of strings, got ${
        describe(env)
      }`,
    );
  }
  return env as Record<string, string>;
}
