// How a message reaches systemd's NOTIFY_SOCKET (a unix datagram socket) from Deno, Bun
// and Node without a native dependency of our own:
// - Bun (always) and Deno (when `--allow-ffi` is granted): libc's socket(2)/sendto(2)
//   through the runtime's built-in FFI. The datagram carries this process's credentials,
//   so systemd's default `NotifyAccess=main` accepts it.
// - Node (no unix datagram sockets, no FFI), and Deno without FFI but with `--allow-run`:
//   Debian's `systemd-notify --pid=<our pid>` helper, one at a time so order is kept.
//   Measured with systemd 252: as root the helper sends with the credentials of `--pid`
//   (accepted under `NotifyAccess=main`); as any other user it sends its own, which
//   systemd drops unless the unit says `NotifyAccess=all`.
// Deno's own `Deno.listenDatagram({ transport: "unixpacket" })` can send too, but only
// behind `--unstable-net` and only after binding a socket file of its own: not used.
// A send never throws: a failure is counted and the caller decides whether to say so.

/** One way to send datagrams to the notify socket. */
export interface NotifyTransport {
  /** `"ffi"` or `"systemd-notify"`. */
  readonly kind: string;
  /** Sends `message` (newline-separated `KEY=VALUE` lines); never throws. */
  send(message: string): void;
  /** Resolves once every message handed over so far has left (or failed). */
  settled(): Promise<void>;
  /** Releases the socket; later sends are dropped. */
  close(): void;
  /** How many sends failed. */
  readonly failures: number;
}

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  sendto(
    fd: number,
    buffer: Uint8Array,
    length: bigint,
    flags: number,
    address: Uint8Array,
    addressLength: number,
  ): number | bigint;
  close(fd: number): number;
}

const LIBC_SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  sendto: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    result: "isize",
  },
  close: { parameters: ["i32"], result: "i32" },
} as const;

interface DenoFfiHost {
  dlopen(path: string, symbols: unknown): { symbols: unknown };
  permissions: {
    querySync(d: { name: string; command?: string }): { state: string };
  };
  Command: new (cmd: string, options: unknown) => {
    spawn(): { status: Promise<{ success: boolean }> };
  };
}

interface ProcessHost {
  getBuiltinModule?(name: string): unknown;
}

function denoHost(): Partial<DenoFfiHost> | undefined {
  return (globalThis as { Deno?: Partial<DenoFfiHost> }).Deno;
}

function granted(name: string, command?: string): boolean {
  try {
    return denoHost()?.permissions?.querySync({ name, command }).state ===
      "granted";
  } catch {
    return false;
  }
}

function builtin(name: string): unknown {
  const p = (globalThis as { process?: ProcessHost }).process;
  try {
    return p?.getBuiltinModule?.(name);
  } catch {
    return undefined;
  }
}

/** libc through the runtime's FFI, or `undefined` where there is none (or no permission). */
function openLibc(): Libc | undefined {
  try {
    const deno = denoHost();
    if (deno !== undefined) {
      if (typeof deno.dlopen !== "function" || !granted("ffi")) {
        return undefined;
      }
      return deno.dlopen("libc.so.6", LIBC_SYMBOLS).symbols as Libc;
    }
    const ffi = builtin("bun:ffi") as
      | {
        dlopen(path: string, s: unknown): { symbols: unknown };
        FFIType: Record<string, unknown>;
      }
      | undefined;
    if (ffi === undefined) return undefined;
    const t = ffi.FFIType;
    const types: Record<string, unknown> = {
      i32: t.i32,
      u32: t.u32,
      buffer: t.ptr,
      usize: t.u64,
      isize: t.i64,
    };
    const symbols = Object.fromEntries(
      Object.entries(LIBC_SYMBOLS).map(([name, d]) => [name, {
        args: d.parameters.map((p) => types[p]),
        returns: types[d.result],
      }]),
    );
    return ffi.dlopen("libc.so.6", symbols).symbols as Libc;
  } catch {
    return undefined; // not Linux/glibc, or FFI refused: the helper is next
  }
}

/**
 * `struct sockaddr_un` for `path`: an `@` first means Linux's abstract namespace (a NUL
 * byte, and the length counts no trailing NUL), as sd_notify(3) says.
 */
export function socketAddress(path: string): Uint8Array {
  const abstract = path.startsWith("@");
  const name = new TextEncoder().encode(abstract ? path.slice(1) : path);
  // family (2 bytes), then the name after a NUL (abstract) or before one (a path)
  const address = new Uint8Array(3 + name.length);
  new DataView(address.buffer).setUint16(0, AF_UNIX, true);
  address.set(name, abstract ? 3 : 2);
  return address;
}

function ffiTransport(libc: Libc, path: string): NotifyTransport | undefined {
  const fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return undefined;
  const address = socketAddress(path);
  let open = true;
  let failures = 0;
  return {
    kind: "ffi",
    get failures() {
      return failures;
    },
    send(message) {
      if (!open) return;
      const bytes = new TextEncoder().encode(message);
      try {
        const sent = libc.sendto(
          fd,
          bytes,
          BigInt(bytes.length),
          MSG_DONTWAIT | MSG_NOSIGNAL,
          address,
          address.length,
        );
        if (Number(sent) !== bytes.length) failures++;
      } catch {
        failures++;
      }
    },
    settled: () => Promise.resolve(),
    close() {
      if (open) libc.close(fd);
      open = false;
    },
  };
}

type Spawn = (args: string[], env: Record<string, string>) => Promise<boolean>;

/** Runs `systemd-notify` through `Deno.Command` or `node:child_process`, if allowed. */
function helperSpawner(): Spawn | undefined {
  const deno = denoHost();
  if (deno !== undefined) {
    if (!granted("run", "systemd-notify") || deno.Command === undefined) {
      return undefined;
    }
    const Command = deno.Command;
    return (args, env) =>
      new Command("systemd-notify", {
        args,
        env,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn().status.then((s) => s.success);
  }
  const child = builtin("node:child_process") as {
    spawn(
      cmd: string,
      args: string[],
      options: unknown,
    ): { once(event: string, fn: (value: unknown) => void): void };
  } | undefined;
  if (child === undefined) return undefined;
  return (args, env) =>
    new Promise((resolve) => {
      const proc = child.spawn("systemd-notify", args, {
        env: { ...(builtin("node:process") as { env: object }).env, ...env },
        stdio: "ignore",
      });
      proc.once("error", () => resolve(false));
      proc.once("exit", (code) => resolve(code === 0));
    });
}

function helperTransport(
  spawn: Spawn,
  path: string,
  pid: number,
): NotifyTransport {
  let queue = Promise.resolve();
  let open = true;
  let failures = 0;
  return {
    kind: "systemd-notify",
    get failures() {
      return failures;
    },
    send(message) {
      if (!open) return;
      const args = [`--pid=${pid}`, ...message.split("\n")];
      queue = queue.then(() =>
        spawn(args, { NOTIFY_SOCKET: path }).then(
          (ok) => void (ok || failures++),
          () => void failures++,
        )
      );
    },
    settled: () => queue,
    close() {
      open = false;
    },
  };
}

/**
 * The best transport this runtime allows for the notify socket at `path`, or the reason
 * there is none.
 */
export function openNotifySocket(
  path: string,
  pid: number,
): NotifyTransport | string {
  const libc = openLibc();
  const direct = libc && ffiTransport(libc, path);
  if (direct) return direct;
  const spawn = helperSpawner();
  if (spawn) return helperTransport(spawn, path, pid);
  return denoHost() !== undefined
    ? "Deno needs --allow-ffi (or --allow-run=systemd-notify) to notify systemd"
    : "no FFI and no child_process to run systemd-notify";
}
