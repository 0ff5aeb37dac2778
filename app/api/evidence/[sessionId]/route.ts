import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { evidencePackTarget, exportEvidencePack } from "@/lib/server/services/compliance";

const options = {
  permission: "evidence.export",
  params: z.object({ sessionId: z.union([z.uuid(), z.string().regex(/^[1-9][0-9]{0,9}$/)]) }),
  notFoundMessage: "No such session.",
} as const;

const methods = routeMethods({
  /** The evidence pack of one session (a Didit session uuid, or a mirror row's number): a signed ZIP. */
  GET: apiRoute(options, async ({ ctx, params }) => {
    const pack = await exportEvidencePack(ctx, params.sessionId);
    return new Response(pack.bytes, {
      status: 200,
      headers: {
        "content-type": "application/zip",
        "content-length": String(pack.bytes.length),
        "content-disposition": `attachment; filename="${pack.filename}"`,
        "cache-control": "no-store",
        "x-evidence-sha256": pack.archiveSha256,
        "x-evidence-key-fingerprint": pack.fingerprint,
      },
    });
  }),
});

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = methods;

/** Whether a pack can be made (permission, session known), without making, signing or recording one. */
export const HEAD: typeof methods.HEAD = apiRoute(options, async ({ ctx, params }) => {
  await evidencePackTarget(ctx, params.sessionId);
  return new Response(null, {
    status: 200,
    headers: { "content-type": "application/zip", "cache-control": "no-store" },
  });
});
