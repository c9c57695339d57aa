// The TCP connections this process serves on a port, read from Linux's /proc: neither
// `Deno.serve` nor `Bun.serve` tells a program which connections it holds (no accept hook,
// no count: Bun's `pendingRequests` reads 0 beside half a request), so this is how
// `./http` counts the ones its drain closes. `/proc/net/tcp{,6}` lists every socket of the
// network namespace with its state and inode; `/proc/self/fd` says which are this
// process's own (another process may serve the same port with `reusePort`). Where /proc
// cannot be read (not Linux; Deno without `--allow-all`, which it asks for /proc) the
// answer is `undefined`, and nothing is counted.
//
// Asynchronous: the kernel writes /proc/net/tcp line by line for every socket of the
// namespace, TIME_WAIT ones included (measured: 0.13 s for 36 000 lines), and walking
// /proc/self/fd costs a readlink per descriptor; neither may stall the requests a drain
// is still serving.

/** One connection: its socket inode, the client's port, and bytes not yet acknowledged. */
export interface ProcConnection {
  readonly inode: string;
  readonly remotePort: number;
  /** Bytes sent that the client has not acknowledged (`tx_queue`): a response on its way. */
  readonly unacked: number;
}

interface FileReader {
  text(path: string): Promise<string>;
  names(dir: string): Promise<string[]>;
  link(path: string): Promise<string>;
}

/** TCP state 01: ESTABLISHED (a client that closed its side is CLOSE_WAIT, 08: it left). */
const ESTABLISHED = "01";

/** How many descriptors are resolved at once while walking /proc/self/fd. */
const WALK_BATCH = 64;

let reader: FileReader | null | undefined;

/** The runtime's file reads, if it may read /proc without asking anyone. */
function procReader(): FileReader | null {
  if (reader !== undefined) return reader;
  const deno = (globalThis as { Deno?: DenoFs }).Deno;
  if (typeof deno?.readTextFile === "function") {
    // Reading without the permission would prompt on a terminal: only when granted.
    let state: string | undefined;
    try {
      state = deno.permissions?.querySync?.({ name: "read", path: "/proc" })
        ?.state;
    } catch {
      // No permission API here (a Deno-like host): not granted.
    }
    return reader = state !== "granted" ? null : {
      text: (path) => deno.readTextFile(path),
      names: async (dir) => {
        const names: string[] = [];
        for await (const entry of deno.readDir(dir)) names.push(entry.name);
        return names;
      },
      link: (path) => deno.readLink(path),
    };
  }
  const fs = nodeFs();
  return reader = fs === undefined ? null : {
    text: (path) => fs.readFile(path, "latin1"),
    names: (dir) => fs.readdir(dir),
    link: (path) => fs.readlink(path),
  };
}

/**
 * The established connections this process holds whose local port is `port`, or
 * `undefined` where /proc cannot be read. `known` holds the inodes already found to be
 * this process's (the caller keeps it across calls): only others cost a walk of
 * `/proc/self/fd`.
 */
export async function procConnections(
  port: number,
  known: Set<string> = new Set(),
): Promise<ProcConnection[] | undefined> {
  const files = procReader();
  if (files === null) return undefined;
  const candidates = new Map<string, ProcConnection>();
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
  let readable = false;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = await files.text(table);
    } catch {
      continue; // no IPv6, or not Linux
    }
    readable = true;
    // Only the lines holding the port's hex (as local or remote port) are cut out and
    // split: the table may hold tens of thousands of other sockets.
    for (let at = text.indexOf(hex); at >= 0;) {
      const start = text.lastIndexOf("\n", at) + 1;
      let end = text.indexOf("\n", at);
      if (end < 0) end = text.length;
      at = text.indexOf(hex, end);
      const fields = text.slice(start, end).trim().split(/\s+/);
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
  const ours: ProcConnection[] = [];
  const take = (inode: string) => {
    const connection = candidates.get(inode);
    if (connection === undefined) return;
    known.add(inode);
    ours.push(connection);
    candidates.delete(inode);
  };
  for (const inode of [...candidates.keys()]) if (known.has(inode)) take(inode);
  if (candidates.size === 0) return ours;
  let names: string[];
  try {
    names = await files.names("/proc/self/fd");
  } catch {
    return undefined;
  }
  for (let i = 0; i < names.length && candidates.size > 0; i += WALK_BATCH) {
    const targets = await Promise.all(
      names.slice(i, i + WALK_BATCH).map((name) =>
        // Closed since the listing (the listing's own descriptor, for one): no socket.
        files.link(`/proc/self/fd/${name}`).catch(() => "")
      ),
    );
    for (const target of targets) {
      if (target.startsWith("socket:[")) take(target.slice(8, -1));
    }
  }
  return ours;
}

/** The port of a /proc address (`0100007F:1F90`: hex, after the colon). */
function portOf(address: string): number {
  return parseInt(address.slice(address.indexOf(":") + 1), 16);
}

interface DenoFs {
  readTextFile(path: string): Promise<string>;
  readDir(path: string): AsyncIterable<{ name: string }>;
  readLink(path: string): Promise<string>;
  permissions?: {
    querySync?(descriptor: { name: "read"; path: string }): { state: string };
  };
}

interface NodeFs {
  readFile(path: string, encoding: "latin1"): Promise<string>;
  readdir(path: string): Promise<string[]>;
  readlink(path: string): Promise<string>;
}

function nodeFs(): NodeFs | undefined {
  const process = (globalThis as {
    process?: { getBuiltinModule?(name: string): unknown };
  }).process;
  if (typeof process?.getBuiltinModule !== "function") return undefined;
  return (process.getBuiltinModule("node:fs") as { promises?: NodeFs })
    ?.promises;
}
