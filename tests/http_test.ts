// `./http` in-process on real `Deno.serve` servers on 127.0.0.1: bad input, the hooks of
// the escalation one by one, request tasks, and response headers while draining.
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { GracefulShutdown } from "@quiesce/quiesce";
import {
  GracefulHttp,
  liveness,
  readiness,
  type RequestScope,
  requestScope,
  serve,
  sse,
} from "@quiesce/quiesce/http";

const quiet = { signals: false as const, onProgress: () => {} };

Deno.test("GracefulHttp rejects bad input with errors naming the argument", async () => {
  const shutdown = new GracefulShutdown(quiet);
  const ok = () => new Response("ok");
  assertThrows(
    () => new GracefulHttp({} as GracefulShutdown, ok),
    TypeError,
    "shutdown",
  );
  assertThrows(
    () => new GracefulHttp(shutdown, "nope" as unknown as () => Response),
    TypeError,
    "handler",
  );
  assertThrows(
    () => new GracefulHttp(shutdown, ok, { readyness: "/x" } as never),
    TypeError,
    'did you mean "readiness"',
  );
  assertThrows(
    () => new GracefulHttp(shutdown, ok, { readiness: "healthz" }),
    TypeError,
    "options.readiness",
  );
  assertThrows(
    () => new GracefulHttp(shutdown, ok, { name: "" }),
    TypeError,
    "options.name",
  );
  for (const name of ["linger", "stallTimeout", "idleGrace"]) {
    assertThrows(
      () => new GracefulHttp(shutdown, ok, { [name]: "500" }),
      TypeError,
      `options.${name}`,
    );
    for (const bad of [-1, NaN, Infinity]) {
      assertThrows(
        () => new GracefulHttp(shutdown, ok, { [name]: bad }),
        RangeError,
        `options.${name}`,
      );
    }
  }
  const http = new GracefulHttp(shutdown, ok);
  assertThrows(() => http.attach({} as never), TypeError, "listener.stop");
  assertThrows(
    () => serve({ shutdown, fetch: ok, port: -1 }),
    RangeError,
    "options.port",
  );
  assertThrows(
    () => serve({ shutdown, fetch: ok, port: "80" as never }),
    TypeError,
    "options.port",
  );
  for (const port of [0, 65536, 1.5, NaN]) {
    assertThrows(
      () => http.attach({ stop: () => {}, port }),
      RangeError,
      "listener.port",
    );
  }
  assertThrows(
    () => http.attach({ stop: () => {}, port: "8000" as never }),
    TypeError,
    "listener.port",
  );
  assertThrows(
    () => serve({ shutdown, fetch: ok, prot: 1 } as never),
    TypeError,
    "port",
  );
  assertThrows(() => readiness(undefined as never), TypeError, "shutdown");
  assertThrows(
    () => sse({} as RequestScope, () => {}),
    TypeError,
    "request",
  );
  await shutdown.shutdown();
});

Deno.test("readiness turns 503 at the first signal, liveness stays 200", async () => {
  const shutdown = new GracefulShutdown({ ...quiet, drainDelay: 30 });
  const ready = readiness(shutdown), live = liveness();
  assertEquals([ready().status, live().status], [200, 200]);
  const done = shutdown.shutdown();
  assertEquals([ready().status, live().status], [503, 200]);
  assertEquals(await ready().text(), "draining\n");
  await done;
});

Deno.test("while draining every response says Connection: close, immutable headers too", async () => {
  const shutdown = new GracefulShutdown({ ...quiet, drainDelay: 50 });
  const http = new GracefulHttp(
    shutdown,
    (request) =>
      new URL(request.url).pathname === "/redirect"
        ? Response.redirect("http://127.0.0.1/elsewhere", 302)
        : new Response("ok"),
  );
  const before = await http.fetch(new Request("http://x/"));
  assertEquals(before.headers.get("connection"), null);
  await before.body?.cancel();
  const done = shutdown.shutdown();
  const after = await http.fetch(new Request("http://x/"));
  assertEquals(after.headers.get("connection"), "close");
  await after.body?.cancel();
  const redirect = await http.fetch(new Request("http://x/redirect"));
  assertEquals(redirect.status, 302);
  assertEquals(redirect.headers.get("connection"), "close");
  await done;
});

Deno.test("in-flight requests are listed with age, awaited by the drain and named in its report", async () => {
  const shutdown = new GracefulShutdown({ ...quiet, timeout: 300 });
  const release = Promise.withResolvers<void>();
  const http = new GracefulHttp(shutdown, async (request) => {
    if (new URL(request.url).pathname === "/orders/42") await release.promise;
    return new Response("ok");
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    http.fetch,
  );
  http.attach({ stop: () => server.shutdown() });
  const pending = fetch(`http://127.0.0.1:${server.addr.port}/orders/42?x=1`);
  while (http.inFlight().length === 0) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 30));
  const [entry] = http.inFlight();
  assertEquals(entry?.name, "GET /orders/42");
  assert(entry!.ageMs >= 25, `age ${entry!.ageMs}`);
  const report = await shutdown.shutdown();
  assertEquals(report.timedOut, true);
  assertEquals(
    report.stragglers.map((s) => s.name),
    ["GET /orders/42", "http server"],
  );
  release.resolve();
  assertEquals(await (await pending).text(), "ok");
  await server.finished;
});

Deno.test("a request in flight at the signal finishes before the drain ends (Deno.serve, drainDelay)", async () => {
  const shutdown = new GracefulShutdown({ ...quiet, drainDelay: 100 });
  const events: string[] = [];
  const server = serve({
    shutdown,
    hostname: "127.0.0.1",
    port: 0,
    fetch: async () => {
      await new Promise((r) => setTimeout(r, 200));
      events.push("answered");
      return new Response("late");
    },
  });
  shutdown.token.onCancel(() => events.push("listener stops"));
  const pending = fetch(`http://127.0.0.1:${server.port}/`);
  while (server.http.inFlight().length === 0) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const report = await shutdown.shutdown();
  events.push("drained");
  assertEquals(report.ok, true);
  assertEquals(events, ["listener stops", "answered", "drained"]);
  assertEquals(await (await pending).text(), "late");
});

Deno.test("attach after the drain began stops the listener at once", async () => {
  const shutdown = new GracefulShutdown(quiet);
  const http = new GracefulHttp(shutdown, () => new Response("ok"));
  await shutdown.shutdown();
  let stopped = 0;
  http.attach({ stop: () => void stopped++ });
  assertEquals(stopped, 1);
});

Deno.test("scope.spawn validates its input and reports failures through onError", async () => {
  const shutdown = new GracefulShutdown(quiet);
  const errors: string[] = [];
  const cancelled: unknown[] = [];
  const http = new GracefulHttp(shutdown, async (request) => {
    const scope = requestScope(request);
    assertThrows(() => scope.spawn("x" as never), TypeError, "fn");
    assertThrows(
      () => scope.spawn(() => 1, { onDone: () => {} } as never),
      TypeError,
    );
    const result = await scope.spawn(() => Promise.reject(new Error("boom")), {
      onCancel: (reason) => cancelled.push((reason as Error).message),
    });
    assertEquals(result, undefined);
    return new Response("ok");
  }, {
    onError: (error, request) =>
      errors.push(`${request}: ${(error as Error).message}`),
  });
  const response = await http.fetch(
    new Request("http://x/jobs", { method: "POST" }),
  );
  await response.body?.cancel();
  assertEquals(errors, ["POST /jobs: boom"]);
  assertEquals(cancelled, ["boom"]);
  await shutdown.shutdown();
});

Deno.test("a handler that throws ends its scope and the error reaches the runtime", async () => {
  const shutdown = new GracefulShutdown(quiet);
  let reason: unknown;
  const http = new GracefulHttp(shutdown, (request) => {
    requestScope(request).spawn(
      (signal) => new Promise((r) => signal.addEventListener("abort", r)),
      {
        onCancel: (r) => reason = r,
      },
    );
    throw new Error("handler failed");
  });
  await assertRejects(
    async () => await http.fetch(new Request("http://x/")),
    Error,
    "handler failed",
  );
  assertMatch(String((reason as Error).message), /response was sent/);
  assertEquals(http.inFlight(), []);
  await shutdown.shutdown();
});

Deno.test("requestScope finds the scope by the Request object only; bad timing and buffer options are RangeErrors naming them", async () => {
  const shutdown = new GracefulShutdown(quiet);
  let seen: string | undefined;
  const http = new GracefulHttp(shutdown, (request, info) => {
    const scope = requestScope(request);
    seen = `${scope.name} info=${info} remote=${scope.remoteAddr}`;
    assertThrows(
      () => requestScope(new Request(request)),
      TypeError,
      "not a copy",
    );
    assertThrows(
      () => sse(request, () => {}, { maxBuffer: 0 }),
      RangeError,
      "options.maxBuffer",
    );
    return new Response("ok");
  });
  const response = await http.fetch(new Request("http://x/orders/7"));
  await response.body?.cancel();
  assertEquals(seen, "GET /orders/7 info=undefined remote=undefined");
  assertThrows(
    () => requestScope(new Request("http://x/")),
    TypeError,
    "Cannot find the scope of request",
  );
  for (const name of ["linger", "stallTimeout", "idleGrace"]) {
    assertThrows(
      () => new GracefulHttp(shutdown, () => new Response(""), { [name]: -1 }),
      RangeError,
      `options.${name}`,
    );
  }
  await shutdown.shutdown();
});

Deno.test("eventStreams: false leaves responses' headers unread before the signal; while draining an event stream still ends cleanly; a non-boolean is a TypeError", async () => {
  let reads = 0;
  class Counted extends Response {
    override get headers(): Headers {
      reads++;
      return super.headers;
    }
  }
  const stream = () =>
    new ReadableStream<Uint8Array>({
      // One event per timer tick: an endless stream that leaves the timers room to run.
      pull: async (c) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        c.enqueue(new TextEncoder().encode("data: x\n\n"));
      },
    }, { highWaterMark: 0 });
  const shutdown = new GracefulShutdown({ ...quiet, drainDelay: 30 });
  const http = new GracefulHttp(
    shutdown,
    (request) =>
      pathOfTest(request) === "/events"
        ? new Counted(stream(), {
          headers: { "content-type": "text/event-stream" },
        })
        : new Counted("hello"),
    { eventStreams: false, linger: 0 },
  );
  const before = await http.fetch(new Request("http://x/"));
  assertEquals(reads, 0);
  assertEquals(await before.text(), "hello");
  const checked = new GracefulHttp(
    new GracefulShutdown(quiet),
    () => new Counted("hello"),
  );
  await (await checked.fetch(new Request("http://x/"))).body?.cancel();
  assert(reads > 0, "the default checks the content-type");
  reads = 0;
  const done = shutdown.shutdown();
  const events = await http.fetch(new Request("http://x/events"));
  assert(reads > 0, "while draining the content-type is checked");
  // Ended cleanly at the drain: the text resolves, with no error.
  assertMatch(await events.text(), /^(data: x\n\n)+$/);
  assertEquals((await done).ok, true);
  assertThrows(
    () =>
      new GracefulHttp(shutdown, () => new Response(""), {
        eventStreams: "no" as unknown as boolean,
      }),
    TypeError,
    "options.eventStreams",
  );
});

function pathOfTest(request: Request): string {
  return new URL(request.url).pathname;
}

Deno.test("scope.remoteAddr on Deno.serve: kept once read; undefined, not Deno's 'Request closed', when first read after the response", async () => {
  const shutdown = new GracefulShutdown({ ...quiet });
  const scopes: RequestScope[] = [];
  const http = new GracefulHttp(shutdown, (request) => {
    const scope = requestScope(request);
    scopes.push(scope);
    if (new URL(request.url).pathname === "/read") void scope.remoteAddr;
    return new Response("ok");
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    http.fetch,
  );
  http.attach({ stop: () => server.shutdown() });
  for (const path of ["/read", "/later"]) {
    const response = await fetch(`http://127.0.0.1:${server.addr.port}${path}`);
    assertEquals(await response.text(), "ok");
  }
  const [read, later] = scopes;
  assertEquals(read!.remoteAddr?.hostname, "127.0.0.1");
  assert((read!.remoteAddr?.port ?? 0) > 0);
  assertEquals(later!.remoteAddr, undefined);
  await shutdown.shutdown();
  await server.finished;
});
