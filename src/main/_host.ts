// What main() needs from the host, found by feature detection through globalThis: how to
// exit, which signal adapter to use, and whether this is Deno Deploy.
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

/**
 * The runtime's signals (Deno's listener API, else `process`, else none), as the core's
 * default source picks them, with SIGHUP when `hangup`.
 */
export function hostSignalSource(hangup: boolean): SignalSource {
  return hostSignals(
    hangup ? ["SIGINT", "SIGTERM", "SIGHUP"] : ["SIGINT", "SIGTERM"],
  );
}

/**
 * Whether this runs on Deno Deploy (`DENO_DEPLOYMENT_ID` is set). The permission is queried
 * first, so a program run without `--allow-env` gets no prompt and no error.
 */
export function onDenoDeploy(): boolean {
  const d = deno();
  try {
    const state = d?.permissions?.querySync?.({
      name: "env",
      variable: "DENO_DEPLOYMENT_ID",
    }).state;
    if (state !== "granted") return false;
    return (d?.env?.get("DENO_DEPLOYMENT_ID") ?? "") !== "";
  } catch {
    return false;
  }
}
