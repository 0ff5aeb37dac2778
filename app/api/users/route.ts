import { createUserRequestSchema } from "@/lib/schemas/users";
import { apiRoute, jsonResponse, readJson } from "@/lib/server/http/route";
import { createUser, listUsers } from "@/lib/server/services/users";

export const GET = apiRoute({ permission: "users.manage" }, async ({ ctx }) => ({
  items: await listUsers(ctx),
}));

export const POST = apiRoute({ permission: "users.manage" }, async ({ req, ctx }) => {
  const input = await readJson(req, createUserRequestSchema);
  return jsonResponse(await createUser(ctx, input), 201, { "cache-control": "no-store" });
});
