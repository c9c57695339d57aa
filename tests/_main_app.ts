// What the tests of main() in real processes share: the fixture program
// (tests/fixtures/signals/main_app.ts, one mode per behaviour), the runtimes it runs on,
// and one test cell per runtime.
import { Child } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";

/** The fixture program; its first argument picks the mode. */
export const APP: string =
  new URL("./fixtures/signals/main_app.ts", import.meta.url).pathname;

/** Every runtime main() is tested on. */
export const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];

/** Each runtime's binary; `undefined` when missing outside CI (in CI a missing one fails). */
export const BINARIES: Record<RuntimeName, string | undefined> = {
  deno: requireRuntime("deno"),
  bun: requireRuntime("bun"),
  node: requireRuntime("node"),
};

/** What the fixture's task and cleanup steps print when the drain ran, in order. */
export const DRAINED: string[] = [
  "worker stopped",
  "cleanup cache",
  "cleanup db",
];

/** Starts the fixture on `runtime` in `mode`. */
export function start(
  runtime: RuntimeName,
  mode: string,
  env?: Record<string, string>,
): Child {
  return Child.start(
    [...commandFor(runtime, BINARIES[runtime]!, APP), mode],
    { env },
  );
}

/** A test named for its runtime, skipped (outside CI) when that runtime is missing. */
export function cell(
  name: string,
  runtime: RuntimeName,
  fn: () => Promise<void>,
): void {
  Deno.test({
    name: `main on ${runtime}: ${name}`,
    ignore: BINARIES[runtime] === undefined,
    fn,
  });
}
