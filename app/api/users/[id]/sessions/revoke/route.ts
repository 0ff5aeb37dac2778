import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { revokeUserSessions } from "@/lib/server/services/access";

/** "Sign out everywhere" for one user: every live session of theirs ends now. Body: `{}`. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    {
      permission: "users.manage",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such user.",
      body: z.object({}).strict(),
    },
    async ({ ctx, params }) => revokeUserSessions(ctx, params.id),
  ),
});
