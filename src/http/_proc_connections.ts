// The TCP connections this process serves on a port, read from Linux's /proc: neither
// `Deno.serve` nor `Bun.serve` tells a program which connections it holds (no accept hook,
// no count: Bun's `pendingRequests` reads 0 beside half a request), so this is how
// `./http` counts the ones its drain closes. `/proc/net/tcp{,6}` lists every socket of the
// network namespace with its state and inode; `/proc/self/fd` says which are this
// process's own (another process may serve the same port with `reusePort`). Where /proc
// cannot be read (not Linux; Deno without `--allow-all`, which it asks for /proc) the
// answer is `undefined`, and nothing is counted.

/** One connection: its socket inode, the client's port, and bytes not yet acknowledged. */
export interface ProcConnection {
  readonly inode: string;
  readonly remotePort: number;
  /** Bytes sent that the client has not acknowledged (`tx_queue`): a response on its way. */
  readonly unacked: number;
}

interface FileReader {
  text(path: string): string;
  names(dir: string): string[];
  link(path: string): string;
}

/** TCP state 01: ESTABLISHED (a client that closed its side is CLOSE_WAIT, 08: it left). */
const ESTABLISHED = "01";

let reader: FileReader | null | undefined;

/** The runtime's synchronous file reads, if it may read /proc without asking anyone. */
function procReader(): FileReader | null {
  if (reader !== undefined) return reader;
  const deno = (globalThis as { Deno?: DenoFs }).Deno;
  if (typeof deno?.readTextFileSync === "function") {
    // Reading without the permission would prompt on a terminal: only when granted.
    let state: string | undefined;
    try {
      state = deno.permissions?.querySync?.({ name: "read", path: "/proc" })
        ?.state;
    } catch {
      // No permission API here (a Deno-like host): not granted.
    }
    return reader = state !== "granted" ? null : {
      text: (path) => deno.readTextFileSync(path),
      names: (dir) => [...deno.readDirSync(dir)].map((entry) => entry.name),
      link: (path) => deno.readLinkSync(path),
    };
  }
  const fs = nodeFs();
  return reader = fs === undefined ? null : {
    text: (path) => fs.readFileSync(path, "latin1"),
    names: (dir) => fs.readdirSync(dir),
    link: (path) => fs.readlinkSync(path),
  };
}

/**
 * The established connections this process holds whose local port is `port`, or
 * `undefined` where /proc cannot be read.
 */
export function procConnections(port: number): ProcConnection[] | undefined {
  const files = procReader();
  if (files === null) return undefined;
  const candidates = new Map<string, ProcConnection>();
  let readable = false;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = files.text(table);
    } catch {
      continue; // no IPv6, or not Linux
    }
    readable = true;
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== ESTABLISHED) continue;
      if (portOf(fields[1]!) !== port) continue;
      const inode = fields[9]!;
      candidates.set(inode, {
        inode,
        remotePort: portOf(fields[2]!),
        unacked: parseInt(fields[4]!, 16),
      });
    }
  }
  if (!readable) return undefined;
  if (candidates.size === 0) return [];
  const ours: ProcConnection[] = [];
  let names: string[];
  try {
    names = files.names("/proc/self/fd");
  } catch {
    return undefined;
  }
  for (const name of names) {
    let target: string;
    try {
      target = files.link(`/proc/self/fd/${name}`);
    } catch {
      continue; // closed since the listing (the listing's own descriptor, for one)
    }
    if (!target.startsWith("socket:[")) continue;
    const inode = target.slice(8, -1);
    const connection = candidates.get(inode);
    if (connection === undefined) continue;
    ours.push(connection);
    candidates.delete(inode);
    if (candidates.size === 0) break;
  }
  return ours;
}

/** The port of a /proc address (`0100007F:1F90`: hex, after the colon). */
function portOf(address: string): number {
  return parseInt(address.slice(address.indexOf(":") + 1), 16);
}

interface DenoFs {
  readTextFileSync(path: string): string;
  readDirSync(path: string): Iterable<{ name: string }>;
  readLinkSync(path: string): string;
  permissions?: {
    querySync?(descriptor: { name: "read"; path: string }): { state: string };
  };
}

interface NodeFs {
  readFileSync(path: string, encoding: "latin1"): string;
  readdirSync(path: string): string[];
  readlinkSync(path: string): string;
}

function nodeFs(): NodeFs | undefined {
  const process = (globalThis as {
    process?: { getBuiltinModule?(name: string): unknown };
  }).process;
  if (typeof process?.getBuiltinModule !== "function") return undefined;
  return process.getBuiltinModule("node:fs") as NodeFs | undefined;
}
