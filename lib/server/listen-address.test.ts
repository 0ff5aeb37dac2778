import { afterEach, describe, expect, it } from "vitest";
import {
  noteListenAddress,
  publicOrigin,
  requirePublicOrigin,
  setListenAddressForTests,
} from "./listen-address";

afterEach(() => {
  setListenAddressForTests(null);
  delete process.env.__NEXT_PRIVATE_ORIGIN;
});

describe("the console's own origin", () => {
  it("is unknown outside a listening server", () => {
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
    process.env.__NEXT_PRIVATE_ORIGIN = "http://127.0.0.1:3917";
    expect(publicOrigin()).toBe("http://127.0.0.1:3917");
    process.env.__NEXT_PRIVATE_ORIGIN = "not a url";
    expect(publicOrigin()).toBeNull();
  });
});
