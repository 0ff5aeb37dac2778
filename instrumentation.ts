export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // Before any request: the socket's address for clientIp() (TRUSTED_PROXIES).
    const { installPeerAddressHook } = await import("./lib/server/http/peer-address");
    installPeerAddressHook();
    const { boot } = await import("./lib/server/boot");
    await boot();
  }
}
