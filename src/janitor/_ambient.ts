// The ambient janitor. The only module of the package that imports `node:async_hooks`
// (Deno, Bun and Node all have AsyncLocalStorage); the core stays web-standard.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Janitor } from "./_janitor.ts";

/** The janitor that `spawnDaemon` reaches from the current async context, if any. */
export const ambient: AsyncLocalStorage<Janitor | undefined> =
  new AsyncLocalStorage<Janitor | undefined>();
