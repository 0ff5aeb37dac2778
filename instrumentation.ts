export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // Before any request: the socket's address for clientIp() (TRUSTED_PROXIES), and a JSON 405
    // for methods Next cannot route.
    const { installServerHooks } = await import("./lib/server/http/server-hooks");
    installServerHooks();
    const { boot } = await import("./lib/server/boot");
    await boot();
  }
}
