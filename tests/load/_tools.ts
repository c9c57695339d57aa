// Shared parts of the load suite: installing wrk and haproxy, starting examples/server.ts,
// running wrk and parsing its summary.

export const ROOT = new URL("../../", import.meta.url).pathname;
export const SERVER = `${ROOT}examples/server.ts`;
export type Runtime = "deno" | "bun";

export function which(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
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

/** Installs wrk and haproxy from Debian packages when missing (CI machines are fresh). */
export async function ensureTools(): Promise<void> {
  if (which("wrk") && which("haproxy") && which("curl")) return;
  console.log("== installing wrk, haproxy and curl (apt-get)");
  await run("apt-get", ["update", "-qq"]);
  await run("apt-get", ["install", "-y", "-qq", "wrk", "haproxy", "curl"]);
}

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
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
  ) {
    this.port = port;
    const cmd = runtime === "deno"
      ? [Deno.execPath(), "run", "-A", SERVER]
      : [which("bun") ?? "bun", SERVER];
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

  static async start(
    runtime: Runtime,
    env: Record<string, string> = {},
    port = freePort(),
  ): Promise<Server> {
    const server = new Server(runtime, port, env);
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
