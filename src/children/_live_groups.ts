// The process groups this process started and has not reaped yet, and the one exit hook
// that SIGKILLs them when the process ends before their tasks did: main() exiting at its
// deadline or on a second signal, or any other `Deno.exit`/`process.exit`. The hook is
// installed while a group is live and removed with the last one, so an idle program holds
// no listener.
import type { ChildHost } from "./_hosts.ts";

const live = new Set<number>();
let host: ChildHost | undefined;
let removeHook: (() => void) | undefined;

function killLiveGroups(): void {
  // Synchronous on purpose: an exit hook cannot await. SIGKILL reaches every process of
  // each group at once, grandchildren included; init reaps them after we are gone.
  for (const pgid of live) host!.killGroup(pgid, "SIGKILL");
  live.clear();
}

/** Registers group `pgid` as live until the returned function is called (idempotent). */
export function trackGroup(childHost: ChildHost, pgid: number): () => void {
  host = childHost;
  live.add(pgid);
  removeHook ??= childHost.onExit(killLiveGroups);
  return () => {
    if (!live.delete(pgid) || live.size > 0) return;
    removeHook?.();
    removeHook = undefined;
  };
}

/** How many groups are live now (for tests and reports). */
export function liveGroupCount(): number {
  return live.size;
}
