// The one module that knows the host. Everything quiesce needs from Deno, Bun or Node (signal
// listeners, raising a signal, exiting, unreferencing a timer, crash handling, the worker
// scope, Deno Deploy's variables) is found here by feature detection through `globalThis`,
// so no other file references `Deno`, `Bun` or `process`, statically or not, and the core
// still runs where none of them exists (a browser, an edge isolate: every lookup here then
// finds nothing and does nothing). `./http` keeps its own serve glue (src/http/_hosts.ts).

interface DenoGlobal {
  pid: number;
  kill(pid: number, signal: string): void;
  exit(code: number): never;
  addSignalListener(signal: string, handler: () => void): void;
  removeSignalListener(signal: string, handler: () => void): void;
  unrefTimer(id: number): void;
  env: { get(name: string): string | undefined };
  permissions: {
    querySync(descriptor: { name: "env"; variable: string }): {
      state: string;
    };
  };
}

interface ProcessGlobal {
  pid: number;
  kill(pid: number, signal: string): unknown;
  exit(code: number): never;
  on(event: string, listener: (value: unknown) => void): unknown;
  off(event: string, listener: (value: unknown) => void): unknown;
}

interface HostGlobal {
  Deno?: Partial<DenoGlobal>;
  process?: Partial<ProcessGlobal>;
  Bun?: { isMainThread?: boolean };
  WorkerGlobalScope?: abstract new () => unknown;
}

const host = globalThis as unknown as HostGlobal;

/** Adds and removes one signal listener on a host. */
export interface SignalHost {
  add(signal: string, handler: () => void): void;
  remove(signal: string, handler: () => void): void;
}

/** `Deno.addSignalListener`/`removeSignalListener`, if this is Deno. */
export function denoHost(): SignalHost | undefined {
  const deno = host.Deno;
  const add = deno?.addSignalListener, remove = deno?.removeSignalListener;
  if (typeof add !== "function" || typeof remove !== "function") {
    return undefined;
  }
  return {
    add: (signal, handler) => add.call(deno, signal, handler),
    remove: (signal, handler) => remove.call(deno, signal, handler),
  };
}

/** `process.on`/`off`, if this is Bun or Node. */
export function processHost(): SignalHost | undefined {
  const process = host.process;
  const on = process?.on, off = process?.off;
  if (typeof on !== "function" || typeof off !== "function") return undefined;
  return {
    add: (signal, handler) => void on.call(process, signal, handler),
    remove: (signal, handler) => void off.call(process, signal, handler),
  };
}

/**
 * Sends `signal` to this process again, once our listeners are gone, so that the runtime's
 * default action (ending the process) happens as if we had never listened.
 */
export function raiseSignal(signal: string): void {
  try {
    if (typeof host.Deno?.kill === "function") {
      host.Deno.kill(host.Deno.pid!, signal);
    } else if (typeof host.process?.kill === "function") {
      host.process.kill(host.process.pid!, signal);
    }
  } catch {
    // No permission to signal ourselves (Deno without --allow-run): the signal is lost,
    // as it would be with a listener the program forgot to remove.
  }
}

/**
 * Lets the process end while `timer` is pending (Deno's `unrefTimer`, Node's and Bun's
 * `unref()`); does nothing where the host has neither (browsers never wait for timers).
 */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  const deno = host.Deno;
  if (typeof deno?.unrefTimer === "function" && typeof timer === "number") {
    deno.unrefTimer(timer);
    return;
  }
  (timer as { unref?: () => void }).unref?.();
}

/** The host's way to end the process: `Deno.exit`, else `process.exit`, else nothing. */
export function hostExit(): (code: number) => void {
  const deno = host.Deno, process = host.process;
  if (typeof deno?.exit === "function") return (code) => deno.exit!(code);
  if (typeof process?.exit === "function") return (code) => process.exit!(code);
  // No process to end (a browser, a web worker): main() has nothing more to do.
  return () => {};
}

/** What crashed: a throw nobody caught, or a rejection nobody handled. */
export type CrashKind = "uncaught exception" | "unhandled rejection";

/**
 * Takes over the host's "crash the process" handling of uncaught exceptions and unhandled
 * rejections: `onCrash` hears about each instead, and the process keeps running. Deno
 * (which also has a `process` shim) is asked through its global `error` and
 * `unhandledrejection` events, cancelled with `preventDefault()`; Bun and Node through
 * `process.on("uncaughtException" | "unhandledRejection")`, whose mere presence replaces the
 * default crash. Returns the remover, which restores the host's own handling.
 */
export function hostCrashes(
  onCrash: (kind: CrashKind, error: unknown) => void,
): () => void {
  const target = globalThis as unknown as Partial<EventTarget>;
  if (
    host.Deno !== undefined && typeof target.addEventListener === "function" &&
    typeof target.removeEventListener === "function"
  ) {
    const onError = (event: Event) => {
      event.preventDefault();
      onCrash("uncaught exception", (event as ErrorEvent).error);
    };
    const onRejection = (event: Event) => {
      event.preventDefault();
      onCrash("unhandled rejection", (event as PromiseRejectionEvent).reason);
    };
    target.addEventListener("error", onError);
    target.addEventListener("unhandledrejection", onRejection);
    return () => {
      target.removeEventListener!("error", onError);
      target.removeEventListener!("unhandledrejection", onRejection);
    };
  }
  const p = host.process;
  if (typeof p?.on === "function" && typeof p.off === "function") {
    const onError = (error: unknown) => onCrash("uncaught exception", error);
    const onRejection = (reason: unknown) =>
      onCrash("unhandled rejection", reason);
    p.on("uncaughtException", onError);
    p.on("unhandledRejection", onRejection);
    return () => {
      p.off!("uncaughtException", onError);
      p.off!("unhandledRejection", onRejection);
    };
  }
  return () => {};
}

/**
 * Reads an environment variable on Deno (only when `--allow-env` grants it: queried, never
 * prompted for), Bun or Node; `undefined` when unset or not allowed.
 */
export function hostEnv(name: string): string | undefined {
  const deno = host.Deno;
  try {
    if (deno !== undefined) {
      const state = deno.permissions?.querySync?.({
        name: "env",
        variable: name,
      })
        .state;
      return state === "granted" ? deno.env?.get(name) : undefined;
    }
    return (host.process as { env?: Record<string, string | undefined> })?.env
      ?.[name];
  } catch {
    return undefined;
  }
}

/** This process's id (0 where there is no process). */
export function hostPid(): number {
  return host.Deno?.pid ?? host.process?.pid ?? 0;
}

/**
 * Whether this runs on Deno Deploy, which sends SIGINT and kills 5 s later.
 *
 * `DENO_DEPLOYMENT_ID` alone proves nothing: apps set it themselves outside Deploy (Fresh's
 * Docker guide sets it for cache busting). What a container does not have, per Deno's docs:
 * - Deno Deploy sets `DENO_DEPLOY=true` ("Predefined environment variables",
 *   https://docs.deno.com/deploy/reference/env_vars_and_contexts/);
 * - Deno Deploy Classic set `DENO_REGION` next to `DENO_DEPLOYMENT_ID`
 *   (https://docs.deno.com/deploy/classic/environment-variables/).
 * Both platforms refuse user variables starting with `DENO_`, so these come from the
 * platform. Only Deno runs there: on Bun and Node this is always false. The permission is
 * queried first, so a program run without `--allow-env` gets no prompt and no error.
 */
export function onDenoDeploy(): boolean {
  if (host.Deno === undefined) return false;
  if (hostEnv("DENO_DEPLOY") === "true") return true;
  return !!hostEnv("DENO_REGION") && !!hostEnv("DENO_DEPLOYMENT_ID");
}

/** The worker-global API `./worker` uses. */
export interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  /** `self.close()` (Deno's and browsers' workers), missing in Bun's. */
  close?: () => void;
  /** Bun's worker ends itself with `process.exit(code)`, which ends only the worker. */
  process?: { exit?: (code: number) => void };
}

/** The worker's global scope, or `undefined` when this code does not run in a worker. */
export function workerScope(): WorkerScope | undefined {
  const scope = globalThis as unknown as Partial<WorkerScope>;
  const inWebWorker = typeof host.WorkerGlobalScope === "function" &&
    globalThis instanceof host.WorkerGlobalScope;
  // Bun defines no WorkerGlobalScope (and has a `postMessage` on its main thread too), but
  // tells its workers apart through `Bun.isMainThread`.
  const inBunWorker = host.Bun?.isMainThread === false;
  if (!inWebWorker && !inBunWorker) return undefined;
  if (
    typeof scope.postMessage !== "function" ||
    typeof scope.addEventListener !== "function" ||
    typeof scope.removeEventListener !== "function"
  ) {
    return undefined;
  }
  return scope as WorkerScope;
}
