import { changePasswordRequestSchema } from "@/lib/schemas/account";
import { apiRoute, readJson } from "@/lib/server/http/route";
import { changePassword } from "@/lib/server/services/account";

/** The signed-in user changes their own password; open while a one-time password awaits change. */
export const POST = apiRoute(
  { permission: "dashboard.view", allowPendingPasswordChange: true },
  async ({ req, ctx }) => {
    const input = await readJson(req, changePasswordRequestSchema);
    return changePassword(ctx, input);
  },
);
