import { createUserRequestSchema } from "@/lib/schemas/users";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { createUser, listUsers } from "@/lib/server/services/access";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "users.manage" }, async ({ ctx }) => ({ items: await listUsers(ctx) })),

  POST: apiRoute({ permission: "users.manage", body: createUserRequestSchema }, async ({ ctx, body }) =>
    jsonResponse(await createUser(ctx, body), 201, { "cache-control": "no-store" }),
  ),
});
