// The hello-world server of bench/http_bench.ts, on Deno or Bun: MODE=bare serves the
// handler as is, MODE=wrapped through `./http` (`serve()` with a GracefulShutdown).
import { GracefulShutdown } from "../mod.ts";
import { serve } from "../src/http.ts";

const host = globalThis as {
  Deno?: {
    env: { get(name: string): string | undefined };
    serve(
      options: { port: number; hostname: string; onListen(): void },
      handler: (request: Request) => Response,
    ): unknown;
  };
  Bun?: {
    serve(options: {
      port: number;
      hostname: string;
      fetch: (request: Request) => Response;
    }): unknown;
  };
  process?: { env: Record<string, string | undefined> };
};
const env = (name: string) =>
  host.Deno ? host.Deno.env.get(name) : host.process?.env[name];
const port = Number(env("PORT"));
const hello = () => new Response("hello world\n");

if (env("MODE") === "wrapped") {
  const shutdown = new GracefulShutdown();
  serve({ shutdown, fetch: hello, port, hostname: "127.0.0.1" });
} else if (host.Deno) {
  host.Deno.serve({ port, hostname: "127.0.0.1", onListen() {} }, hello);
} else {
  host.Bun!.serve({ port, hostname: "127.0.0.1", fetch: hello });
}
console.log("listening");
