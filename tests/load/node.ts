// The Node rows: the same scenarios as on Deno and Bun, with examples/server.ts run
// unchanged by `node` (serve() on node:http): keep-alive load, keep-alive defaults, SSE
// streams, idle keep-alive connections, and the rolling restart behind HAProxy.
import { basicScenarios } from "./basic.ts";
import { fleetScenarios } from "./fleet.ts";
import type { Scenario } from "./_scenario.ts";

export const nodeScenarios: readonly Scenario[] = [
  ...basicScenarios,
  ...fleetScenarios.filter((scenario) => scenario.name.includes("HAProxy")),
].map((scenario) => ({ ...scenario, runtimes: ["node"] }));
