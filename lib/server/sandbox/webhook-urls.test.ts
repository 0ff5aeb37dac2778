import { describe, expect, it } from "vitest";
import { destinationUrlError, isLoopbackHost } from "./webhook-urls";

describe("webhook destination URLs", () => {
  it.each([
    "https://hooks.example.com/didit",
    "https://10.0.0.5/private-but-https",
    "http://127.0.0.1:8080/hook",
    "http://127.255.255.254/hook",
    "http://localhost/hook",
    "http://LOCALHOST:3000/api/webhooks/didit/app",
    "http://[::1]:9000/hook",
    "http://127.1/hook",
  ])("accepts %s", (url) => {
    expect(destinationUrlError(url)).toBeNull();
  });

  it.each([
    "http://hooks.example.com/didit",
    "http://10.0.0.5/hook",
    "http://0.0.0.0/hook",
    "http://128.0.0.1/hook",
    "http://[::2]/hook",
    "http://localhost.evil.example/hook",
    "http://127.0.0.1.nip.io/hook",
    "ftp://hooks.example.com/x",
    "javascript:alert(1)",
    "not a url",
    "",
    `https://example.com/${"a".repeat(2000)}`,
  ])("refuses %s", (url) => {
    expect(destinationUrlError(url)).not.toBeNull();
  });

  it("recognises loopback hosts as the URL parser normalises them", () => {
    expect(isLoopbackHost(new URL("http://0x7f000001/").hostname)).toBe(true);
    expect(isLoopbackHost(new URL("http://[0:0:0:0:0:0:0:1]/").hostname)).toBe(true);
    expect(isLoopbackHost("127.0.0.256")).toBe(false);
  });
});
