import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { partnerOpenApiDocument } from "@/lib/server/openapi/partner-api";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ mode: "public" }, async () =>
    jsonResponse(partnerOpenApiDocument(), 200, { "cache-control": "public, max-age=300" }),
  ),
});
