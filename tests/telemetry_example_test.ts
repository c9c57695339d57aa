// examples/telemetry.ts exactly as documented, on Deno (`deno run -A`), Bun and Node: an
// OTLP/HTTP receiver on 127.0.0.1 (this test's), requests with spans, SIGTERM, and then
// every span made — the drain's own included — reaches the receiver, flushed in the flush
// phase; the last stdout line counts them.
import { assert, assertEquals } from "@std/assert";
import { Child } from "./_child.ts";
import { BINARIES, RUNTIMES } from "./_main_app.ts";
import { ensureNpmPackages } from "./_npm.ts";
import { ROOT, type RuntimeName } from "./_runtime.ts";

const EXAMPLE = `${ROOT}examples/telemetry.ts`;

interface OtlpSpans {
  resourceSpans?: Array<{
    scopeSpans?: Array<{ spans?: Array<{ name: string }> }>;
  }>;
}

/** A minimal OTLP/HTTP (JSON) trace receiver: collects span names. */
function receiver(): { names: string[]; url: string; server: Deno.HttpServer } {
  const names: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      if (request.method !== "POST") return new Response(null, { status: 405 });
      const body = await request.json() as OtlpSpans;
      for (const resource of body.resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) names.push(span.name);
        }
      }
      return Response.json({});
    },
  );
  return {
    names,
    url: `http://127.0.0.1:${server.addr.port}/v1/traces`,
    server,
  };
}

function command(runtime: RuntimeName): string[] {
  const binary = BINARIES[runtime]!;
  switch (runtime) {
    case "deno":
      return [binary, "run", "-A", EXAMPLE];
    case "bun":
      return [binary, EXAMPLE];
    case "node":
      return [binary, EXAMPLE];
  }
}

for (const runtime of RUNTIMES) {
  Deno.test({
    name:
      `examples/telemetry.ts on ${runtime}: the drain's spans reach the receiver`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      await ensureNpmPackages();
      const otlp = receiver();
      try {
        await using child = Child.start(command(runtime), {
          env: { PORT: "0", OTLP_URL: otlp.url, NO_COLOR: "1" },
        });
        const line = await child.waitFor(/listening on /, { timeout: 30_000 });
        const base = line.slice(line.indexOf("http://")).trim();
        const requests = 5;
        for (let i = 0; i < requests; i++) {
          assertEquals(await (await fetch(`${base}r${i}`)).text(), "ok\n");
        }
        child.kill("SIGTERM");
        const exit = await child.exit();
        assertEquals(exit.code, 143, exit.stderr);
        // The drain made two spans: "drain" and "drain: close the HTTP server".
        assertEquals(
          exit.lines.at(-1),
          `spans made: ${requests + 2}, during drain: 2`,
        );
        assertEquals(otlp.names.length, requests + 2, otlp.names.join(", "));
        assert(otlp.names.includes("drain"), otlp.names.join(", "));
        assert(otlp.names.includes("drain: close the HTTP server"));
        assertEquals(
          otlp.names.filter((n) => n.startsWith("GET ")).length,
          requests,
        );
      } finally {
        await otlp.server.shutdown();
      }
    },
  });
}
