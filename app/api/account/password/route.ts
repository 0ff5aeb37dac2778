import { changePasswordRequestSchema } from "@/lib/schemas/account";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { changePassword } from "@/lib/server/services/access";

/**
 * The signed-in user changes their own password. Every role holds `dashboard.view`; this is the
 * one route open while a one-time password awaits its change.
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    { permission: "dashboard.view", allowPendingPasswordChange: true, body: changePasswordRequestSchema },
    async ({ ctx, body }) => changePassword(ctx, body),
  ),
});
