// HTTP/2 clients of a runtime that serves none (Bun.serve): HAProxy's recipe
// (examples/balancers/haproxy.cfg) plus a TLS bind that offers h2 to clients, in front of
// three replicas of examples/server.ts restarted one by one while h2load streams go
// through: every stream ends with 2xx, none fails or errors.
import { drainDelayOf, withPorts } from "./fleet.ts";
import { certificate, run } from "./h2.ts";
import type { Checks, Scenario } from "./_scenario.ts";
import {
  freePort,
  ROOT,
  type Runtime,
  Server,
  sleep,
  which,
} from "./_tools.ts";

async function h2Front(runtime: Runtime, t: Checks): Promise<void> {
  const recipe = await Deno.readTextFile(
    `${ROOT}examples/balancers/haproxy.cfg`,
  );
  const env = { DRAIN_DELAY_MS: drainDelayOf(recipe) };
  const [front, h2Port] = [freePort(), freePort()];
  const ports = [freePort(), freePort(), freePort()];
  const dir = await Deno.makeTempDir({ prefix: "quiesce_h2front_" });
  try {
    const { CERT_FILE, KEY_FILE } = await certificate(dir);
    const pem = `${dir}/haproxy.pem`; // HAProxy wants the certificate and key in one file
    await Deno.writeTextFile(
      pem,
      (await Deno.readTextFile(CERT_FILE!)) +
        (await Deno.readTextFile(KEY_FILE!)),
    );
    const config = withPorts(recipe, front, ports).replace(
      /^(\s*)bind 127\.0\.0\.1:\d+$/m,
      (line, indent) =>
        `${line}\n${indent}bind 127.0.0.1:${h2Port} ssl crt ${pem} alpn h2,http/1.1`,
    );
    await Deno.writeTextFile(
      `${dir}/haproxy.cfg`,
      `global\n  maxconn 2000\n\n${config}`,
    );
    const replicas = await Promise.all(
      ports.map((port) => Server.start(runtime, env, port)),
    );
    const proxy = new Deno.Command(which("haproxy") ?? "haproxy", {
      args: ["-f", `${dir}/haproxy.cfg`, "-db"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const codes: number[] = [];
    try {
      await sleep(500);
      // About as long as three restarts take; h2load ends by itself.
      const load = run("h2load", [
        "-D",
        "7",
        "-c",
        "4",
        "-m",
        "4",
        `https://127.0.0.1:${h2Port}/`,
      ]);
      await sleep(700);
      for (let i = 0; i < replicas.length; i++) {
        replicas[i]!.kill("SIGTERM");
        codes.push(await replicas[i]!.exit());
        replicas[i] = await Server.start(runtime, env, ports[i]);
        await sleep(1_200);
      }
      const out = (await load).text;
      await Promise.all(replicas.map((r) => r.kill("SIGTERM")));
      codes.push(...await Promise.all(replicas.map((r) => r.exit())));
      const line = /requests: ([^\n]*)/.exec(out)?.[1] ?? out.slice(-300);
      const statuses = /status codes: ([^\n]*)/.exec(out)?.[1] ?? "?";
      const protocol = /Application protocol: (\S+)/.exec(out)?.[1] ?? "?";
      const n = (word: string) =>
        Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? -1);
      t.row(
        `h2load over TLS to HAProxy (protocol ${protocol}), HTTP/1.1 to 3 replicas ` +
          `restarted one by one (DRAIN_DELAY_MS=${env.DRAIN_DELAY_MS}): ${line}; ` +
          `status codes ${statuses}; exits ${codes.join(", ")}`,
      );
      t.check(protocol === "h2", `negotiated ${protocol}`);
      t.check(
        n("succeeded") > 0 && n("succeeded") === n("total"),
        `h2load: ${line}`,
      );
      t.check(n("failed") === 0 && n("errored") === 0, `h2load: ${line}`);
      t.check(
        /^\d+ 2xx, 0 3xx, 0 4xx, 0 5xx/.test(statuses),
        `statuses ${statuses}`,
      );
      t.check(
        codes.length === 6 && codes.every((c) => c === 143),
        `exits ${codes}`,
      );
    } finally {
      for (const replica of replicas) await replica.reap();
      proxy.kill("SIGTERM");
      await proxy.status;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

export const h2FrontScenarios: readonly Scenario[] = [
  { name: "h2 clients through HAProxy", runtimes: ["bun"], run: h2Front },
];
