import { createApplicationRequestSchema } from "@/lib/schemas/applications";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { createApplication, listApplications } from "@/lib/server/services/applications";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "applications.read" }, async ({ ctx }) => listApplications(ctx)),

  POST: apiRoute(
    { permission: "applications.manage", body: createApplicationRequestSchema },
    async ({ ctx, body }) => jsonResponse(await createApplication(ctx, body), 201),
  ),
});
