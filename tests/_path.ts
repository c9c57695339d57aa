/** Converts a `file:` URL to a path (POSIX; the suite runs on Linux and macOS). */
export function fromFileUrl(url: URL): string {
  return decodeURIComponent(url.pathname);
}
