import { z } from "zod";
import { createImportRequestSchema } from "@/lib/schemas/imports";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { createImport } from "@/lib/server/services/receiving";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** Imports the item's token once: 201 with the import; 409 `already_imported` naming the one held. */
  POST: apiRoute(
    {
      permission: "imports.create",
      idempotent: true,
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such inbox item.",
      body: createImportRequestSchema,
    },
    async ({ ctx, params, body }) =>
      jsonResponse(await createImport(ctx, params.id, body), 201, { "cache-control": "no-store" }),
  ),
});
