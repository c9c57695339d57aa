// Shared parts of the load suite: installing the Debian tools, starting examples/server.ts
// (or a fixture), running wrk and curl and parsing what they print.
import { freePort } from "../_free_port.ts";

/** A free loopback port (re-exported for the load suite's scenarios). */
export { freePort };

export const ROOT = new URL("../../", import.meta.url).pathname;
export const SERVER = `${ROOT}examples/server.ts`;
export type Runtime = "deno" | "bun" | "node";
/** The runtimes every scenario of this suite runs on unless it names its own. */
export const RUNTIMES: readonly Runtime[] = ["deno", "bun"];

export function which(name: string): string | undefined {
  // Balancers live in sbin, which a non-root PATH may lack.
  const path = `${Deno.env.get("PATH") ?? ""}:/usr/sbin:/sbin`;
  for (const dir of path.split(":")) {
    try {
      if (dir && Deno.statSync(`${dir}/${name}`).isFile) {
        return `${dir}/${name}`;
      }
    } catch {
      // Not here.
    }
  }
  return undefined;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const { code } = await new Deno.Command(cmd, {
    args,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited with ${code}`);
  }
}

/** The Debian packages the load suite runs, by the command each one provides. */
const PACKAGES: Record<string, string> = {
  wrk: "wrk",
  haproxy: "haproxy",
  nginx: "nginx",
  caddy: "caddy",
  curl: "curl",
  h2load: "nghttp2-client",
  nghttp: "nghttp2-client",
  openssl: "openssl",
};

/** Installs the missing tools from Debian packages (CI machines are fresh). */
export async function ensureTools(): Promise<void> {
  const missing = Object.keys(PACKAGES).filter((command) =>
    which(command) === undefined
  );
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((command) => PACKAGES[command]!))];
  console.log(`== installing ${packages.join(", ")} (apt-get)`);
  await run("apt-get", ["update", "-qq"]);
  await run("apt-get", ["install", "-y", "-qq", ...packages]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A running examples/server.ts. */
export class Server {
  readonly process: Deno.ChildProcess;
  readonly port: number;
  output = "";
  #status: Promise<Deno.CommandStatus>;
  #reading: Promise<void>;

  private constructor(
    runtime: Runtime,
    port: number,
    env: Record<string, string>,
    script: string,
  ) {
    this.port = port;
    const cmd = runtime === "deno"
      ? [Deno.execPath(), "run", "-A", script]
      : [which(runtime) ?? runtime, script];
    this.process = new Deno.Command("env", {
      args: ["--default-signal=INT,TERM", ...cmd],
      env: { PORT: String(port), NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    this.#status = this.process.status;
    const read = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this.output += chunk;
      }
    };
    this.#reading = Promise.all([
      read(this.process.stdout),
      read(this.process.stderr),
    ])
      .then(() => {});
  }

  /** Starts `script` (default examples/server.ts) and waits for its "listening on" line. */
  static async start(
    runtime: Runtime,
    env: Record<string, string> = {},
    port = freePort(),
    script = SERVER,
  ): Promise<Server> {
    const server = new Server(runtime, port, env, script);
    for (let i = 0; i < 200 && !server.output.includes("listening on"); i++) {
      await sleep(25);
    }
    if (!server.output.includes("listening on")) {
      server.process.kill("SIGKILL");
      throw new Error(`server did not start:\n${server.output}`);
    }
    return server;
  }

  kill(signal: Deno.Signal): void {
    try {
      this.process.kill(signal);
    } catch (error) {
      throw new Error(`${error}; the server said:\n${this.output}`);
    }
  }

  /**
   * Resident memory in KiB, from `ps` (Deno asks for --allow-all to read /proc; `env`
   * execs the runtime, so the pid is the server's).
   */
  async rssKiB(): Promise<number> {
    const out = await new Deno.Command("ps", {
      args: ["-o", "rss=", "-p", String(this.process.pid)],
      stdout: "piped",
    }).output();
    return Number(new TextDecoder().decode(out.stdout).trim());
  }

  /** After a scenario: SIGKILLs the server if it still runs, and waits for it to end. */
  async reap(): Promise<void> {
    try {
      this.process.kill("SIGKILL");
    } catch {
      // Exited already.
    }
    await this.exit();
  }

  async exit(timeout = 15_000): Promise<number> {
    const timer = setTimeout(() => this.process.kill("SIGKILL"), timeout);
    try {
      const status = await this.#status;
      await this.#reading;
      return status.code;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** wrk's summary. */
export interface WrkResult {
  requests: number;
  rps: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  non2xx: number;
  text: string;
}

export function parseWrk(text: string): WrkResult {
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  const errors =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
      .exec(text);
  return {
    requests: num(/(\d+) requests in/),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    connect: Number(errors?.[1] ?? 0),
    read: Number(errors?.[2] ?? 0),
    write: Number(errors?.[3] ?? 0),
    timeout: Number(errors?.[4] ?? 0),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    text,
  };
}

export async function wrk(args: string[]): Promise<WrkResult> {
  const out = await new Deno.Command("wrk", {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return parseWrk(dec.decode(out.stdout) + dec.decode(out.stderr));
}

/** wrk in the background until `stop()` (SIGINT: wrk then prints its summary). */
export function startWrk(args: string[]): { stop(): Promise<WrkResult> } {
  const child = new Deno.Command("wrk", {
    args: [...args, "-d", "120s"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return {
    async stop() {
      child.kill("SIGINT");
      const out = await child.output();
      const dec = new TextDecoder();
      return parseWrk(dec.decode(out.stdout) + dec.decode(out.stderr));
    },
  };
}

/** One curl run: its exit code, what it wrote to stdout, and `-w` fields after a tab. */
export interface CurlResult {
  code: number;
  body: string;
  status: number;
}

/**
 * Runs curl with `args`; the HTTP status comes from `-w`, written after the body. Killed
 * when `signal` aborts (the result then has code -1).
 */
export async function curl(
  args: string[],
  signal?: AbortSignal,
): Promise<CurlResult> {
  const out = await new Deno.Command("curl", {
    args: ["-s", "-H", "Expect:", "-w", "\t%{http_code}", ...args],
    stdout: "piped",
    stderr: "null",
    signal,
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const tab = text.lastIndexOf("\t");
  return {
    code: out.signal ? -1 : out.code,
    body: tab >= 0 ? text.slice(0, tab) : text,
    status: tab >= 0 ? Number(text.slice(tab + 1)) : 0,
  };
}

/** A file of `bytes` random bytes in `dir`, for uploads. */
export async function randomFile(dir: string, bytes: number): Promise<string> {
  const data = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65_536) {
    crypto.getRandomValues(data.subarray(at, Math.min(at + 65_536, bytes)));
  }
  const path = `${dir}/upload_${bytes}.bin`;
  await Deno.writeFile(path, data);
  return path;
}
