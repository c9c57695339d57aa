/**
 * pino logs that survive the shutdown, the drain's own last lines included: the log file
 * is written through a buffer (`minLength`, as production setups do for throughput), and
 * the buffer is flushed in the **flush phase**, after every other cleanup step, inside a
 * reserve at the end of the deadline. Without that step the lines the drain logged last
 * are still in memory when the process exits.
 *
 *     npm install --prefix examples   # once: pino
 *     LOG_FILE=/tmp/app.log deno run -A examples/logging.ts
 *     LOG_FILE=/tmp/app.log bun examples/logging.ts
 *     LOG_FILE=/tmp/app.log node examples/logging.ts
 *
 * Environment: `LOG_FILE` (default `app.log`), `TIMEOUT_MS` (default 10000). Prints
 * `running` once it runs; after SIGINT/SIGTERM the file ends with the drain's lines.
 *
 * @module
 */
import pino from "pino";
import { sleep } from "../mod.ts";
import { main } from "../src/main.ts";

type Env = (name: string) => string | undefined;
const host = globalThis as {
  Deno?: { env: { get: Env } };
  process?: { env: Record<string, string | undefined> };
};
const env: Env = (name) =>
  host.Deno ? host.Deno.env.get(name) : host.process?.env[name];

const destination = pino.destination({
  dest: env("LOG_FILE") ?? "app.log",
  minLength: 4096, // buffer up to 4 KiB before writing
  sync: false,
});
const log = pino(destination);

await main(async ({ shutdown, spawn, defer }) => {
  log.info("running");
  spawn("worker", async (signal) => {
    for (let job = 1; !signal.aborted; job++) {
      log.info({ job }, "job done");
      await sleep(20, { signal }).catch(() => {});
    }
    log.info("drain: worker stopped");
  });
  defer(async () => {
    await sleep(20); // stands in for closing a database
    log.info("drain: database closed");
  }, { name: "database", timeout: 2_000 });
  defer(
    () =>
      new Promise<void>((flushed, failed) =>
        log.flush((error) => error ? failed(error) : flushed())
      ),
    { name: "log file", phase: "flush" },
  );

  console.log("running");
  const trigger = await shutdown.wait();
  log.info({ trigger }, "drain: started");
}, { timeout: Number(env("TIMEOUT_MS") ?? 10_000) });
