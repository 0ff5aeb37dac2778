import { updateUserRequestSchema } from "@/lib/schemas/users";
import { AppError } from "@/lib/server/http/errors";
import { apiRoute, readJson } from "@/lib/server/http/route";
import { updateUser } from "@/lib/server/services/users";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const PATCH = apiRoute<{ id: string }>(
  { permission: "users.manage" },
  async ({ req, ctx, params }) => {
    if (!UUID_RE.test(params.id)) throw new AppError("not_found", "No such user.");
    const input = await readJson(req, updateUserRequestSchema);
    return updateUser(ctx, params.id, input);
  },
);
