import "server-only";

/**
 * Didit requires an https:// destination; the sandbox also accepts http:// to a loopback address
 * (127.0.0.0/8, ::1, localhost) so tests and a local console can receive. Returns an error message
 * for the `url` field, or null when the URL is acceptable.
 */
export function destinationUrlError(input: string): string | null {
  if (input.length > 2000) return "Ensure this field has no more than 2000 characters.";
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return "Enter a valid URL.";
  }
  if (url.protocol === "https:") return url.hostname ? null : "Enter a valid URL.";
  if (url.protocol === "http:") {
    return isLoopbackHost(url.hostname)
      ? null
      : "URL must use https (http is accepted only for loopback addresses: 127.0.0.0/8, ::1, localhost).";
  }
  return "Enter a valid URL.";
}

/** `hostname` as the WHATWG URL parser normalises it (IPv4 dotted, IPv6 in brackets, lower case). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === "localhost") return true;
  if (host === "[::1]") return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && Number(m[1]) === 127 && m.slice(2).every((o) => Number(o) <= 255);
}
