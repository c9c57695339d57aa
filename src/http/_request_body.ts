// Request bodies at the drain. Deno's `server.shutdown()` makes the unread body of a request
// in flight unreadable (denoland/deno#36809), and a runtime that closes a connection after a
// `Connection: close` response while the client still sends its body gives the client a
// broken pipe (through a balancer, a 502). So the listener is not stopped while a handler
// may still read a body, and while draining a body the handler left unread is read to the
// end and dropped before the response goes out.

/** Whether `request` carries a body, by its headers (no stream is created). */
export function hasBody(request: Request): boolean {
  const headers = request.headers;
  if (headers.has("transfer-encoding")) return true;
  const length = headers.get("content-length");
  return length !== null && length !== "0";
}

/** Whether the handler left the body of `request` unread. */
export function unreadBody(request: Request): boolean {
  return !request.bodyUsed && hasBody(request);
}

/** Reads the body of `request` to its end and drops it; never rejects. */
export async function dropBody(request: Request): Promise<void> {
  const reader = request.body?.getReader();
  if (reader === undefined) return;
  try {
    while (!(await reader.read()).done) {
      // Dropped: the handler answered without it.
    }
  } catch {
    // The client went away: nothing left to read.
  } finally {
    reader.releaseLock();
  }
}
