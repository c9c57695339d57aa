// HTTP/2 rows (issue 16 item 7): the drain seen by real HTTP/2 clients — nghttp (frames),
// h2load (streams) and curl (readiness over one reused connection) — over TLS and h2c
// where the runtime serves it; where it does not, the row pins what the runtime offers.
import type { Checks, Scenario } from "./_scenario.ts";
import { freePort, ROOT, type Runtime, Server, sleep } from "./_tools.ts";

const FIXTURE = `${ROOT}tests/load/_fixture_server.ts`;
const decoder = new TextDecoder();

export async function run(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  return {
    code: out.code,
    text: decoder.decode(out.stdout) + decoder.decode(out.stderr),
  };
}

/** A self-signed certificate for 127.0.0.1, made for this run only (CERT_FILE, KEY_FILE). */
export async function certificate(
  dir: string,
): Promise<Record<string, string>> {
  const [cert, key] = [`${dir}/cert.pem`, `${dir}/key.pem`];
  const made = await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  ]);
  if (made.code !== 0) throw new Error(`openssl: ${made.text}`);
  return { CERT_FILE: cert, KEY_FILE: key };
}

/** Readiness as one HTTP/2 client sees it on one connection: 200, then 503 in the delay. */
interface Readiness {
  text: string;
  ok: boolean;
}

/**
 * curl, 8 requests at 4/s on one connection from 0.9 s before the signal into the delay.
 * curl 7.88 fails every reuse of a prior-knowledge h2c connection ("Error in the HTTP2
 * framing layer", with no signal at all, while h2load reuses it fine), so for h2c two
 * h2load runs of one connection each stand in: 4 requests before, 8 in the delay.
 */
async function readiness(
  base: string,
  tls: boolean,
  signal: () => void,
): Promise<Readiness> {
  const url = `${base}/healthz`;
  if (tls) {
    const curling = run("curl", [
      "-sk",
      "--http2",
      "--rate",
      "4/s",
      "-w",
      "%{http_version} %{http_code} %{num_connects}\\n",
      ...Array(8).fill(["-o", "/dev/null", url]).flat(),
    ]);
    await sleep(900);
    signal();
    const lines = (await curling).text.trim().split("\n").map((l) =>
      l.split(" ")
    );
    const connects = lines.reduce((sum, a) => sum + Number(a[2]), 0);
    const codes = lines.map((a) => `${a[0]}:${a[1]}`).join(" ");
    return {
      text: `curl, version:status on ${connects} connection(s): ${codes}`,
      ok: connects === 1 && lines.length === 8 && lines.every((a) =>
        a[0] === "2"
      ) &&
        lines[0]![1] === "200" && lines.at(-1)![1] === "503",
    };
  }
  const h2load = async (n: number) => {
    const out = await run("h2load", [
      "-n",
      String(n),
      "-c",
      "1",
      "-m",
      "1",
      url,
    ]);
    return /status codes: ([^\n]*)/.exec(out.text)?.[1] ?? out.text;
  };
  const before = await h2load(4);
  signal();
  await sleep(200);
  const during = await h2load(8);
  return {
    text:
      `h2load, one connection: before the signal ${before}; in the delay ${during}`,
    ok: before.startsWith("4 2xx") && during.endsWith("8 5xx"),
  };
}

/**
 * SIGTERM with a 2 s drain delay: readiness on one HTTP/2 connection turns from 200 to
 * 503; then 12 nghttp streams and 40 h2load streams (4 connections) of a
 * 3 s route are in flight when the listener stops: each client gets GOAWAY, every
 * stream ends with 200, none is reset, and the server exits 143.
 */
async function h2Drain(runtime: Runtime, t: Checks, tls: boolean) {
  const dir = await Deno.makeTempDir({ prefix: "quiesce_h2_" });
  try {
    const env = {
      DRAIN_DELAY_MS: "2000",
      SLOW_MS: "3000",
      ...(tls ? await certificate(dir) : {}),
    };
    const server = await Server.start(runtime, env, freePort(), FIXTURE);
    const base = `${tls ? "https" : "http"}://127.0.0.1:${server.port}`;
    const signalled = Promise.withResolvers<void>();
    const ready = readiness(base, tls, () => {
      server.kill("SIGTERM");
      signalled.resolve();
    });
    // Streams of 3 s started 0.5 s into the 2 s delay are in flight when the listener
    // stops, with 1.5 s of margin either side for a loaded machine.
    await signalled.promise;
    await sleep(500);
    const nghttp = run("nghttp", ["-nv", "-m", "12", `${base}/slow`]);
    const h2load = run("h2load", [
      "-n",
      "40",
      "-c",
      "4",
      "-m",
      "10",
      `${base}/slow`,
    ]);
    const [readyText, frames, load, code] = await Promise.all([
      ready,
      nghttp,
      h2load,
      server.exit(),
    ]);
    const goaways = [
      ...frames.text.matchAll(
        /recv GOAWAY frame [^\n]*\n\s*\((last_stream_id=\d+, error_code=\w+)/g,
      ),
    ].map((m) => m[1]!);
    const resets = (frames.text.match(/recv RST_STREAM/g) ?? []).length;
    // nghttp's clock: the first GOAWAY arrives before the first response, i.e. while
    // every stream is still in flight.
    const at = (re: RegExp) => Number(re.exec(frames.text)?.[1] ?? NaN);
    const goawayAt = at(/\[\s*([\d.]+)\] recv GOAWAY/);
    const firstAnswerAt = at(/\[\s*([\d.]+)\] recv \(stream_id=\d+\) :status:/);
    const ok200 =
      (frames.text.match(/recv \(stream_id=\d+\) :status: 200/g) ?? []).length;
    const h2loadLine = /requests: ([^\n]*)/.exec(load.text)?.[1] ?? load.text;
    const n = (word: string) =>
      Number(new RegExp(`(\\d+) ${word}`).exec(h2loadLine)?.[1] ?? -1);
    t.row(
      `readiness: ${readyText.text}; ` +
        `nghttp: ${goaways.length} GOAWAY (${
          goaways.join("; ")
        }) from ${goawayAt} s, ${ok200}/12 streams 200 from ${firstAnswerAt} s, ` +
        `${resets} RST_STREAM, exit ${frames.code}; h2load: ${h2loadLine}; exit ${code}`,
    );
    t.check(readyText.ok, `readiness: ${readyText.text}`);
    t.check(goaways.length > 0, `nghttp got no GOAWAY`);
    t.check(
      goawayAt < firstAnswerAt,
      `GOAWAY at ${goawayAt} s came after the streams ended (${firstAnswerAt} s)`,
    );
    t.check(goaways.every((g) => g.includes("NO_ERROR")), `GOAWAY ${goaways}`);
    t.check(
      ok200 === 12 && frames.code === 0,
      `nghttp: ${ok200}/12 streams 200`,
    );
    t.check(resets === 0, `${resets} streams reset`);
    t.check(
      n("succeeded") === 40 && n("errored") === 0 && n("failed") === 0,
      `h2load: ${h2loadLine}`,
    );
    t.check(code === 143, `exit ${code}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * What Bun.serve offers an HTTP/2 client: ALPN over TLS and prior-knowledge h2c. Bun 1.4.5
 * offers neither (curl falls back to HTTP/1.1; h2c is refused): the row fails if that
 * changes, so the h2 drain row gets extended to Bun.
 */
async function bunH2Offer(runtime: Runtime, t: Checks) {
  const dir = await Deno.makeTempDir({ prefix: "quiesce_h2_" });
  try {
    const tlsServer = await Server.start(
      runtime,
      await certificate(dir),
      freePort(),
      FIXTURE,
    );
    const plain = await Server.start(runtime, {}, freePort(), FIXTURE);
    const overTls = await run("curl", [
      "-sk",
      "--http2",
      "-o",
      "/dev/null",
      "-w",
      "%{http_version}",
      `https://127.0.0.1:${tlsServer.port}/`,
    ]);
    const alpn = await new Deno.Command("openssl", {
      args: [
        "s_client",
        "-connect",
        `127.0.0.1:${tlsServer.port}`,
        "-alpn",
        "h2,http/1.1",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const alpnLine = /^(No ALPN negotiated|ALPN protocol: .*)$/m
      .exec(decoder.decode(alpn.stdout))?.[1] ?? "no ALPN line";
    const h2c = await run("curl", [
      "-s",
      "--http2-prior-knowledge",
      "-o",
      "/dev/null",
      "-w",
      "%{http_version}",
      `http://127.0.0.1:${plain.port}/`,
    ]);
    tlsServer.kill("SIGTERM");
    plain.kill("SIGTERM");
    const codes = [await tlsServer.exit(), await plain.exit()];
    t.row(
      `Bun.serve offers no HTTP/2: over TLS curl --http2 got HTTP/${overTls.text} ` +
        `(openssl -alpn h2,http/1.1: "${alpnLine}"); h2c prior knowledge: curl exit ` +
        `${h2c.code} (version "${h2c.text}"); exits ${codes.join(", ")}`,
    );
    t.check(
      overTls.text === "1.1" && h2c.code !== 0,
      "Bun.serve now serves HTTP/2: run the h2 drain rows on Bun too",
    );
    t.check(codes.every((c) => c === 143), `exits ${codes}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

export const h2Scenarios: readonly Scenario[] = [
  {
    name: "h2 over TLS drain",
    runtimes: ["deno"],
    run: (r, t) => h2Drain(r, t, true),
  },
  {
    name: "h2c drain",
    runtimes: ["deno"],
    run: (r, t) => h2Drain(r, t, false),
  },
  { name: "h2 offered", runtimes: ["bun"], run: bunH2Offer },
];
