import { afterEach, describe, expect, it, vi } from "vitest";
import {
  noteListenAddress,
  publicOrigin,
  requirePublicOrigin,
  setListenAddressForTests,
} from "./listen-address";

afterEach(() => {
  setListenAddressForTests(null);
  vi.unstubAllEnvs();
});

describe("the console's own origin", () => {
  it("is unknown outside a listening server", () => {
    vi.stubEnv("__NEXT_PRIVATE_ORIGIN", "");
    expect(publicOrigin()).toBeNull();
    expect(() => requirePublicOrigin()).toThrow(/not known yet/);
  });

  it("comes from the address the server listens on: wildcards as localhost, IPv6 in brackets", () => {
    noteListenAddress("::", 3900);
    expect(publicOrigin()).toBe("http://localhost:3900");
    setListenAddressForTests(null);
    noteListenAddress("::ffff:127.0.0.1", 3901);
    expect(publicOrigin()).toBe("http://127.0.0.1:3901");
    setListenAddressForTests(null);
    noteListenAddress("::1", 3902);
    expect(publicOrigin()).toBe("http://[::1]:3902");
  });

  it("falls back to the origin Next records once listening (next start before any request)", () => {
    vi.stubEnv("__NEXT_PRIVATE_ORIGIN", "http://127.0.0.1:3917");
    expect(publicOrigin()).toBe("http://127.0.0.1:3917");
    vi.stubEnv("__NEXT_PRIVATE_ORIGIN", "not a url");
    expect(publicOrigin()).toBeNull();
  });
});
