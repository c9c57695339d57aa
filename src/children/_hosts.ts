// The three runtimes' ways to start a process in a new process group and to signal a group.
// Each adapter calls setsid (a new session, so pgid = pid): Deno.Command's and Bun.spawn's
// `detached: true` and node:child_process's `detached: true` all do (checked with `ps -o
// pgid,sid` on Deno 2.9.6, Bun 1.4.5 and Node 22). Killing `-pid` then reaches the whole
// tree the child started, unless a descendant made a new session itself.
import { spawn as nodeSpawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import type { ChildExit, ChildStdio } from "./types.ts";

/** What an adapter needs to start a child. Internal. */
export interface SpawnRequest {
  command: string;
  args: readonly string[];
  cwd: string | undefined;
  env: Record<string, string> | undefined;
  stdin: ChildStdio;
  stdout: ChildStdio;
  stderr: ChildStdio;
}

/** A started child, the leader of its own process group. Internal. */
export interface Spawned {
  pid: number;
  /** Settles once the runtime reaped the leader. */
  exited: Promise<ChildExit>;
  stdin: WritableStream<Uint8Array> | null;
  stdout: ReadableStream<Uint8Array> | null;
  stderr: ReadableStream<Uint8Array> | null;
}

/** One runtime's process API. Internal. */
export interface ChildHost {
  /** Starts the child in a new session; throws (synchronously) if it cannot. */
  spawn(request: SpawnRequest): Spawned;
  /** Sends `signal` to every process of group `pgid`; false when none is left. Never throws. */
  killGroup(pgid: number, signal: string): boolean;
  /** Runs `hook` synchronously when the process exits (`Deno.exit`, `process.exit`). */
  onExit(hook: () => void): () => void;
}

interface DenoChild {
  pid: number;
  status: Promise<{ code: number; signal: string | null }>;
  stdin: WritableStream<Uint8Array> | null;
  stdout: ReadableStream<Uint8Array> | null;
  stderr: ReadableStream<Uint8Array> | null;
}

interface DenoApi {
  Command: new (command: string, options: Record<string, unknown>) => {
    spawn(): DenoChild;
  };
  kill(pid: number, signal: string): void;
}

interface BunProcess {
  pid: number;
  exited: Promise<number>;
  exitCode: number | null;
  signalCode: string | null;
  stdin: unknown;
  stdout: ReadableStream<Uint8Array> | null;
  stderr: ReadableStream<Uint8Array> | null;
}

interface BunApi {
  spawn(cmd: string[], options: Record<string, unknown>): BunProcess;
}

interface ProcessApi {
  kill(pid: number, signal: string): boolean;
  on(event: "exit", listener: () => void): unknown;
  off(event: "exit", listener: () => void): unknown;
  env: Record<string, string | undefined>;
}

function processApi(): ProcessApi {
  return (globalThis as unknown as { process: ProcessApi }).process;
}

/** process.kill(-pgid) for Bun and Node: false on ESRCH, other errors too (nothing to do). */
function processKillGroup(pgid: number, signal: string): boolean {
  try {
    return processApi().kill(-pgid, signal);
  } catch {
    return false;
  }
}

function processOnExit(hook: () => void): () => void {
  const process = processApi();
  process.on("exit", hook);
  return () => void process.off("exit", hook);
}

function denoHost(deno: DenoApi): ChildHost {
  return {
    spawn(request) {
      const child = new deno.Command(request.command, {
        args: [...request.args],
        cwd: request.cwd,
        env: request.env,
        stdin: request.stdin,
        stdout: request.stdout,
        stderr: request.stderr,
        detached: true,
      }).spawn();
      return {
        pid: child.pid,
        // Deno reports a signalled child as code 128+n with `signal` set.
        exited: child.status.then((status) => ({
          code: status.signal === null ? status.code : null,
          signal: status.signal,
        })),
        stdin: request.stdin === "piped" ? child.stdin : null,
        stdout: request.stdout === "piped" ? child.stdout : null,
        stderr: request.stderr === "piped" ? child.stderr : null,
      };
    },
    killGroup(pgid, signal) {
      try {
        deno.kill(-pgid, signal);
        return true;
      } catch {
        return false;
      }
    },
    onExit(hook) {
      // Deno.exit() and the end of the program dispatch `unload`; Deno's `process` shim
      // emits no "exit" on Deno.exit() (measured on 2.9.6).
      addEventListener("unload", hook);
      return () => removeEventListener("unload", hook);
    },
  };
}

const BUN_STDIO = { inherit: "inherit", piped: "pipe", null: "ignore" };

function bunHost(bun: BunApi): ChildHost {
  return {
    spawn(request) {
      const env = request.env && { ...processApi().env, ...request.env };
      const child = bun.spawn([request.command, ...request.args], {
        cwd: request.cwd,
        env,
        stdin: BUN_STDIO[request.stdin],
        stdout: BUN_STDIO[request.stdout],
        stderr: BUN_STDIO[request.stderr],
        detached: true,
      });
      return {
        pid: child.pid,
        exited: child.exited.then(() => ({
          code: child.signalCode === null ? child.exitCode : null,
          signal: child.signalCode,
        })),
        stdin: request.stdin === "piped" ? bunSink(child.stdin) : null,
        stdout: request.stdout === "piped" ? child.stdout : null,
        stderr: request.stderr === "piped" ? child.stderr : null,
      };
    },
    killGroup: processKillGroup,
    onExit: processOnExit,
  };
}

/** Bun's stdin is a FileSink (write, flush, end); a WritableStream around it. */
function bunSink(sink: unknown): WritableStream<Uint8Array> {
  const file = sink as {
    write(chunk: Uint8Array): unknown;
    flush(): unknown;
    end(): unknown;
  };
  return new WritableStream({
    async write(chunk) {
      file.write(chunk);
      await file.flush();
    },
    async close() {
      await file.end();
    },
  });
}

const NODE_STDIO = {
  inherit: "inherit",
  piped: "pipe",
  null: "ignore",
} as const;

const nodeHost: ChildHost = {
  spawn(request) {
    const env = request.env && { ...processApi().env, ...request.env };
    const child = nodeSpawn(request.command, [...request.args], {
      cwd: request.cwd,
      env,
      stdio: [
        NODE_STDIO[request.stdin],
        NODE_STDIO[request.stdout],
        NODE_STDIO[request.stderr],
      ],
      detached: true,
    });
    if (child.pid === undefined) {
      // Node reports a failed spawn (ENOENT, EACCES) as an "error" event on the next tick;
      // the missing pid says so now. The listener keeps that event from crashing the process.
      child.once("error", () => {});
      throw new Error(
        `Cannot spawn "${request.command}": not found or not executable`,
      );
    }
    const exited = new Promise<ChildExit>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    const web = (stream: Readable | null) =>
      stream === null
        ? null
        : Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
    return {
      pid: child.pid,
      exited,
      stdin: child.stdin === null
        ? null
        : Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
      stdout: web(child.stdout),
      stderr: web(child.stderr),
    };
  },
  killGroup: processKillGroup,
  onExit: processOnExit,
};

/** The adapter for the runtime this runs on: Deno first (it also has a `process`), then Bun. */
export function childHost(): ChildHost {
  const deno = (globalThis as { Deno?: Partial<DenoApi> }).Deno;
  if (typeof deno?.Command === "function") return denoHost(deno as DenoApi);
  const bun = (globalThis as { Bun?: Partial<BunApi> }).Bun;
  if (typeof bun?.spawn === "function") return bunHost(bun as BunApi);
  return nodeHost;
}
