/**
 * Child process trees owned by the shutdown: `CHILDREN` trees (default 3), each a shell that
 * starts this file again as a runtime process, which starts a long `sleep`. `STUBBORN` of
 * them (default 1) ignore SIGTERM at every level. Runs the same on all three runtimes:
 *
 *     deno run -A examples/process_tree.ts   # or: bun examples/process_tree.ts
 *     node examples/process_tree.ts          # Node 22.18+ (earlier 22: --experimental-strip-types)
 *
 * Prints `ready <pid> <pid> …` with every process id of every tree (shell, runtime, sleep)
 * once all are running. On SIGTERM or SIGINT each tree's process group gets SIGTERM; the
 * stubborn ones get SIGKILL 2 s later (`spawnChild`'s default `killAfter`); every process
 * is gone and the program exits within `TIMEOUT_MS` (default 3000). With `TIMEOUT_MS`
 * under 2000 the stubborn trees are still running at the deadline: main() names them
 * (`tree 2 (pid 4242: sh -c …)`) and SIGKILLs their groups as it exits.
 *
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { spawnChild } from "../src/children.ts";
import { main } from "../src/main.ts";

const SLEEP_SECONDS = "600";

function number(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a whole number, got ${value}`);
  }
  return value;
}

/** This file run again by the same runtime, as the middle of a tree. */
function runtimeCommand(stubborn: boolean): string[] {
  const file = fileURLToPath(import.meta.url);
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const role = ["middle", stubborn ? "stubborn" : "polite"];
  return deno
    ? [deno.execPath(), "run", "-A", file, ...role]
    : [process.execPath, file, ...role];
}

/**
 * The middle of a tree: starts the `sleep`, prints `<own pid> <sleep pid>` for the top once
 * the sleep runs (and, if stubborn, ignores SIGTERM: the shell sets the ignore before its
 * `echo`, and `exec` keeps it), and lives as long as the sleep does. A stubborn middle
 * ignores SIGTERM too.
 */
function middle(stubborn: boolean): void {
  if (stubborn) process.on("SIGTERM", () => {});
  const trap = stubborn ? "trap '' TERM; " : "";
  const sleeper = spawn(
    "sh",
    ["-c", `${trap}echo; exec sleep ${SLEEP_SECONDS}`],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  sleeper.stdout.once("data", () => {
    sleeper.stdout.destroy();
    console.log(`${process.pid} ${sleeper.pid}`);
  });
}

/** The first line a child prints, then its output is closed. */
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes("\n")) break; // leaving the loop cancels the stream
  }
  return text.split("\n")[0]!.trim();
}

if (process.argv.includes("middle") || denoArgs().includes("middle")) {
  middle(process.argv.includes("stubborn") || denoArgs().includes("stubborn"));
} else {
  const children = number("CHILDREN", 3);
  const stubborn = number("STUBBORN", 1);
  main(async (context) => {
    const trees = Array.from({ length: children }, (_, i) => {
      // The shell stays (`; :` keeps it from exec'ing the runtime): three levels.
      const ignore = i >= children - stubborn ? "trap '' TERM; " : "";
      return spawnChild(
        context,
        "sh",
        ["-c", `${ignore}"$0" "$@"; :`, ...runtimeCommand(ignore !== "")],
        { name: `tree ${i}`, stdout: "piped" },
      );
    });
    const pids = await Promise.all(
      trees.map(async (tree) => `${tree.pid} ${await firstLine(tree.stdout!)}`),
    );
    console.log(`ready ${pids.join(" ")}`);
    await context.shutdown.wait();
  }, { timeout: number("TIMEOUT_MS", 3_000) });
}

/** Deno's arguments (Deno's `process.argv` has them too, but only under `deno run`). */
function denoArgs(): string[] {
  return (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? [];
}
