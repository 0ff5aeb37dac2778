import { z } from "zod";
import { updateUserRequestSchema } from "@/lib/schemas/users";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { updateUser } from "@/lib/server/services/access";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  PATCH: apiRoute(
    {
      permission: "users.manage",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such user.",
      body: updateUserRequestSchema,
    },
    async ({ ctx, params, body }) => updateUser(ctx, params.id, body),
  ),
});
