// What main() needs from the host, found by feature detection through globalThis: how to
// exit, which signal adapter to use, how to hear about crashes, and whether this is Deno
// Deploy.
import { hostSignals, type SignalSource } from "../signals.ts";

interface DenoHost {
  exit(code: number): never;
  env: { get(name: string): string | undefined };
  permissions: {
    querySync(descriptor: { name: "env"; variable: string }): {
      state: string;
    };
  };
}

interface ProcessHost {
  exit(code: number): never;
  on(event: string, listener: (value: unknown) => void): unknown;
  off(event: string, listener: (value: unknown) => void): unknown;
}

function deno(): Partial<DenoHost> | undefined {
  return (globalThis as { Deno?: Partial<DenoHost> }).Deno;
}

function process(): Partial<ProcessHost> | undefined {
  return (globalThis as { process?: Partial<ProcessHost> }).process;
}

/** The host's way to end the process: `Deno.exit`, else `process.exit`, else nothing. */
export function hostExit(): (code: number) => void {
  const d = deno();
  if (typeof d?.exit === "function") return (code) => d.exit!(code);
  const p = process();
  if (typeof p?.exit === "function") return (code) => p.exit!(code);
  // No process to end (a browser, a web worker): main() has nothing more to do.
  return () => {};
}

/** The runtime's SIGINT and SIGTERM, as the core's default source picks them. */
export function hostSignalSource(): SignalSource {
  return hostSignals();
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
    deno() !== undefined && typeof target.addEventListener === "function" &&
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
  const p = process();
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

/** A Deno environment variable, if the program may read it (queried, never prompted for). */
function readEnv(name: string): string | undefined {
  const d = deno();
  try {
    const state = d?.permissions?.querySync?.({ name: "env", variable: name })
      .state;
    return state === "granted" ? d?.env?.get(name) : undefined;
  } catch {
    return undefined;
  }
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
  if (deno() === undefined) return false;
  if (readEnv("DENO_DEPLOY") === "true") return true;
  return !!readEnv("DENO_REGION") && !!readEnv("DENO_DEPLOYMENT_ID");
}
