// A loopback port nobody listens on right now, for a child process told to listen there.

/** A free port on 127.0.0.1 (the system picks it; the listener is closed at once). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
