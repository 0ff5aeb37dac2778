import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getRoleDashboard } from "@/lib/server/services/operations";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** The caller's role's dashboard: the figures of the home page, each with the page it comes from. */
  GET: apiRoute({ permission: "dashboard.view" }, async ({ ctx }) => getRoleDashboard(ctx)),
});
