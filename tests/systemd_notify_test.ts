// systemd notify from real processes on Deno, Bun and Node, checked by a real
// NOTIFY_SOCKET datagram receiver (tests/fixtures/systemd/receiver.py): the order and
// content of the messages, the sender's pid (what NotifyAccess=main checks), STATUS= at
// least once a second while stopping, WATCHDOG=1 inside WATCHDOG_USEC, EXTEND_TIMEOUT_USEC=
// only when opted in and only while the drain makes progress, nothing when unset.
import { assert, assertEquals, assertLessOrEqual } from "@std/assert";
import { Child } from "./_child.ts";
import { BINARIES, RUNTIMES } from "./_main_app.ts";
import { commandFor, type RuntimeName } from "./_runtime.ts";
import { type Notification, NotifyReceiver } from "./_notify_receiver.ts";

const APP = new URL("./fixtures/systemd/notifier_app.ts", import.meta.url)
  .pathname;
let serial = 0;

async function runOnce(
  runtime: RuntimeName,
  mode: "progress" | "stuck",
  env: Record<string, string>,
  socket: "abstract" | "path" | "unset",
): Promise<{ messages: Notification[]; pid: number; lines: string[] }> {
  const name = `quiesce-test-${Deno.pid}-${serial++}`;
  await using receiver = await NotifyReceiver.start(
    socket === "path" ? `/tmp/${name}.sock` : `@${name}`,
  );
  // Empty is unset, and shadows a NOTIFY_SOCKET the test runner itself may have.
  const notify = { NOTIFY_SOCKET: socket === "unset" ? "" : receiver.path };
  await using child = Child.start(
    [...commandFor(runtime, BINARIES[runtime]!, APP), mode],
    { env: { ...env, ...notify } },
  );
  await child.waitFor("ready");
  if (socket !== "unset") await receiver.waitFor(/^READY=1$/);
  child.kill("SIGTERM");
  const exit = await child.exit();
  assertEquals(exit.code, 143, exit.stderr);
  // The helper transport's last message may still be on its way when the process exits.
  if (socket !== "unset") await receiver.waitFor(/^STATUS=exiting/);
  // systemd-notify --pid=<pid> says MAINPID=<pid> first: the main pid, as it should be.
  const messages = receiver.messages.filter((m) => m.data !== "BARRIER=1").map(
    (m) => {
      const [first, ...rest] = m.data.split("\n");
      if (first !== `MAINPID=${child.pid}`) return m;
      return { ...m, data: rest.join("\n") };
    },
  );
  return { messages, pid: child.pid, lines: exit.lines };
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

for (const runtime of RUNTIMES) {
  Deno.test({
    name: `systemd notify on ${runtime}: order, content, pid, timing`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      const { messages, pid, lines } = await runOnce(runtime, "progress", {
        WATCHDOG_USEC: "1000000",
        EXTEND_MS: "3000",
      }, runtime === "bun" ? "path" : "abstract");
      // Node has no unix datagram sockets: the systemd-notify helper sends for it.
      assertEquals(
        lines[0],
        `via ${runtime === "node" ? "systemd-notify" : "ffi"}`,
      );
      const ordered = messages.map((m) => m.data).filter((d) =>
        d !== "WATCHDOG=1"
      );
      assertEquals(ordered[0], "READY=1\nSTATUS=ready");
      assertEquals(ordered[1], "STOPPING=1\nSTATUS=draining, 3 still running");
      assertEquals(ordered.at(-1), "STATUS=exiting with code 143");
      // We run as root here, so even the helper's datagrams carry the main pid.
      for (const m of messages) assertEquals(m.pid, pid, m.data);
      // STATUS= at least once a second from STOPPING=1 to the exit.
      const status = messages.filter((m) => /^(.*\n)?STATUS=/m.test(m.data))
        .slice(1).map((m) => m.ms);
      for (const gap of gaps(status)) assertLessOrEqual(gap, 1_000);
      // EXTEND_TIMEOUT_USEC= only on ticks where a task finished: three tasks, three at most.
      const extended = messages.filter((m) =>
        m.data.startsWith("EXTEND_TIMEOUT_USEC=")
      );
      assert(
        extended.length >= 1 && extended.length <= 3,
        JSON.stringify(ordered),
      );
      for (const m of extended) {
        const usec = Number(m.data.split("\n")[0]!.split("=")[1]);
        assert(usec > 0 && usec <= 3_000_000, m.data);
      }
      // WATCHDOG=1 every half WATCHDOG_USEC (0.5 s): never a whole second apart.
      const watchdog = messages.filter((m) => m.data === "WATCHDOG=1").map((
        m,
      ) => m.ms);
      assert(watchdog.length >= 3, `only ${watchdog.length} WATCHDOG=1`);
      for (const gap of gaps(watchdog)) assertLessOrEqual(gap, 1_000);
    },
  });

  Deno.test({
    name:
      `systemd notify on ${runtime}: no EXTEND_TIMEOUT_USEC= while nothing finishes`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      const { messages } = await runOnce(runtime, "stuck", {
        EXTEND_MS: "3000",
      }, "abstract");
      const data = messages.map((m) => m.data);
      assert(
        data.some((d) => d.startsWith("STOPPING=1")),
        JSON.stringify(data),
      );
      assertEquals(data.filter((d) => d.includes("EXTEND_TIMEOUT_USEC=")), []);
      assertEquals(data.filter((d) => d === "WATCHDOG=1"), []); // WATCHDOG_USEC unset
    },
  });
}

Deno.test({
  name:
    "systemd notify: not opted in, no EXTEND_TIMEOUT_USEC= even with progress",
  ignore: BINARIES.deno === undefined,
  async fn() {
    const { messages } = await runOnce("deno", "progress", {}, "abstract");
    const data = messages.map((m) => m.data);
    assert(data.some((d) => d.startsWith("STOPPING=1")));
    assertEquals(data.filter((d) => d.includes("EXTEND_TIMEOUT_USEC=")), []);
  },
});

Deno.test({
  name: "systemd notify: off when NOTIFY_SOCKET is unset",
  ignore: BINARIES.node === undefined,
  async fn() {
    const { messages, lines } = await runOnce("node", "progress", {
      WATCHDOG_USEC: "200000",
    }, "unset");
    assertEquals(lines[0], "via none");
    assertEquals(messages, []);
  },
});

// main() end to end: examples/server.ts says ready() once it listens.
for (const runtime of ["deno", "bun"] as const) {
  Deno.test({
    name:
      `systemd notify on ${runtime}: examples/server.ts under main(), READY=1 once listening, STOPPING=1 at SIGTERM, last STATUS= with the exit code`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      await using receiver = await NotifyReceiver.start(
        `@quiesce-test-${Deno.pid}-${serial++}`,
      );
      const server = new URL("../examples/server.ts", import.meta.url).pathname;
      await using child = Child.start(
        [...commandFor(runtime, BINARIES[runtime]!, server)],
        { env: { PORT: "0", NOTIFY_SOCKET: receiver.path } },
      );
      await child.waitFor(/^listening on /);
      await receiver.waitFor(/^READY=1$/);
      child.kill("SIGTERM");
      const exit = await child.exit();
      assertEquals(exit.code, 143, exit.stderr);
      await receiver.waitFor(/^STATUS=exiting with code 143$/);
      const data = receiver.messages.map((m) => m.data);
      assertEquals(data[0], "READY=1\nSTATUS=ready");
      assert(
        data[1]!.startsWith("STOPPING=1\nSTATUS=stopping after SIGTERM"),
        data[1],
      );
      assertEquals(data.at(-1), "STATUS=exiting with code 143");
      for (const m of receiver.messages) assertEquals(m.pid, child.pid);
    },
  });
}
