import { z } from "zod";
import { updateApplicationRequestSchema } from "@/lib/schemas/applications";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { deleteApplication, getApplication, updateApplication } from "@/lib/server/services/applications";

const params = z.object({ id: z.uuid() });
const notFoundMessage = "No such connected application.";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "applications.read", params, notFoundMessage }, async ({ ctx, params }) =>
    getApplication(ctx, params.id),
  ),

  PATCH: apiRoute(
    { permission: "applications.manage", params, notFoundMessage, body: updateApplicationRequestSchema },
    async ({ ctx, params, body }) => updateApplication(ctx, params.id, body),
  ),

  DELETE: apiRoute({ permission: "applications.manage", params, notFoundMessage }, async ({ ctx, params }) =>
    deleteApplication(ctx, params.id),
  ),
});
