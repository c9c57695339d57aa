// Counting the connections a drain closes that carry no request (issue 16: idle keep-alive
// connections, half-sent requests and silent clients end within `linger`/`idleGrace`, and
// the report says how many). A listener that can count offers a counter under
// `COUNT_CLOSED`; the stopper calls it just before each moment the listener closes
// connections, and once more when it is done. Node sees every connection and tells the
// three apart; on Deno and Bun only /proc can count them, and not tell them apart.
import { procConnections } from "./_proc_connections.ts";

/** The connections closed since the counter's last call, by what they held. */
export interface ClosedConnections {
  /** Between requests (a keep-alive connection that sent nothing more). */
  idle: number;
  /** Holding part of a request (the head, or a body, not yet complete). */
  incomplete: number;
  /** Never sent a byte. */
  silent: number;
  /** Carrying no request, on a runtime that cannot tell which of the three. */
  unsorted: number;
}

/** The client ports of the connections that carry a request (or a WebSocket) now. */
export type BusyPorts = () => ReadonlySet<number>;

/**
 * When a counter is asked: just before the listener's `stop()` or `close()` (idle grace),
 * at the deadline's `close()`, or at the drain's end (to collect what it counted itself).
 */
export type CountMoment = "stop" | "close" | "deadline" | "end";

/**
 * A listener's counter of the connections it closes (or is about to), by the moment;
 * one that reads /proc answers asynchronously.
 */
export type ClosedCounter = (
  busy: BusyPorts,
  moment: CountMoment,
) => ClosedConnections | Promise<ClosedConnections>;

/** Where a listener made by quiesce keeps its counter. */
export const COUNT_CLOSED: unique symbol = Symbol("quiesce.countClosed");

/** A listener that may carry a counter. */
export interface CountingListener {
  [COUNT_CLOSED]?: ClosedCounter;
}

/** No connections. */
export function noneClosed(): ClosedConnections {
  return { idle: 0, incomplete: 0, silent: 0, unsorted: 0 };
}

/** Adds `more` into `total`. */
export function addClosed(
  total: ClosedConnections,
  more: ClosedConnections,
): void {
  total.idle += more.idle;
  total.incomplete += more.incomplete;
  total.silent += more.silent;
  total.unsorted += more.unsorted;
}

/** The report's key for each kind, after the server's name. */
export const CLOSED_KEYS: Readonly<Record<keyof ClosedConnections, string>> = {
  idle: "idle connections closed",
  incomplete: "incomplete requests closed",
  silent: "silent connections closed",
  unsorted: "connections closed carrying no request",
};

/**
 * A counter for a Deno or Bun server on `port`, from /proc: asked just before the runtime
 * closes them (Deno's `shutdown()`, Bun's `stop()` and `stop(true)`), it counts, once
 * each, the connections open then that carry no request: none of the busy ports, and no
 * bytes on their way to the client (a response begun before the first signal that Bun
 * still sends is not followed). Not at the deadline (its `close()` cannot wait for a read;
 * what it closes carrying nothing was open, and counted, at the stop) nor at the end.
 * Counts nothing where /proc cannot be read.
 */
export function procCounter(port: number | undefined): ClosedCounter {
  const counted = new Set<string>();
  const ours = new Set<string>(); // inodes found to be this process's sockets
  return async (busy, moment) => {
    const closed = noneClosed();
    if (moment !== "stop" && moment !== "close") return closed;
    if (port === undefined || port === 0) return closed;
    const open = await procConnections(port, ours);
    if (open === undefined || open.length === 0) return closed;
    const ports = busy();
    for (const connection of open) {
      if (
        connection.unacked > 0 || ports.has(connection.remotePort) ||
        counted.has(connection.inode)
      ) continue;
      counted.add(connection.inode);
      closed.unsorted++;
    }
    return closed;
  };
}
