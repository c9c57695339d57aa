// The self-hosted side of background work: where no platform `waitUntil` exists (Deno, Bun,
// Node serving the same fetch handler), a GracefulShutdown made on first use, so nothing
// runs at a Worker's global scope (workerd refuses timers and I/O there). It listens to
// SIGINT and SIGTERM, drains the jobs, and ends the process with the signal's code:
// `deno serve` and Bun's default export own the server, so nobody else would.
import { GracefulShutdown } from "../shutdown.ts";

const SIGNAL_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** The host's exit (`Deno.exit`, else `process.exit`); `undefined` where there is none. */
function hostExit(): ((code: number) => void) | undefined {
  const host = globalThis as {
    Deno?: { exit?(code: number): never };
    process?: { exit?(code: number): never };
  };
  const exit = host.Deno?.exit ?? host.process?.exit;
  return typeof exit === "function" ? (code) => exit(code) : undefined;
}

/**
 * A shutdown for self-hosted background work that exits the process when its drain ends,
 * logging the jobs the deadline cut.
 */
export function selfHostedShutdown(
  log: (line: string) => void,
): GracefulShutdown {
  const shutdown = new GracefulShutdown();
  void shutdown.done().then((report) => {
    for (const straggler of report.stragglers) {
      log(
        `background work "${straggler.name}" cut by the shutdown deadline after ${
          Math.round(straggler.ageMs)
        } ms`,
      );
    }
    const code = !report.ok ? 1 : SIGNAL_CODES[report.trigger] ?? 0;
    hostExit()?.(code);
  });
  return shutdown;
}
