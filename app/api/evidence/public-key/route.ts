import { z } from "zod";
import type { EvidencePublicKeyDto } from "@/lib/schemas/evidence";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getEvidencePublicKey } from "@/lib/server/services/compliance";

/**
 * The public key evidence packs are signed with, readable signed out (like /api/health): an auditor
 * or a regulator compares it, or its fingerprint, with the one in a pack. `?format=pem`: the PEM alone.
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute(
    { mode: "public", query: z.object({ format: z.enum(["json", "pem"]).default("json") }) },
    async ({ ctx, query }) => {
      const key = await getEvidencePublicKey(ctx);
      if (query.format === "pem")
        return new Response(key.publicKeyPem, {
          status: 200,
          headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
        });
      const body: EvidencePublicKeyDto = {
        algorithm: key.algorithm,
        publicKeyPem: key.publicKeyPem,
        fingerprint: key.fingerprint,
        createdAt: key.createdAt.toISOString(),
      };
      return Response.json(body, { headers: { "cache-control": "no-store" } });
    },
  ),
});
