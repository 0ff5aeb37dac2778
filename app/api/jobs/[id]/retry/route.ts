import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { retryJob } from "@/lib/server/services/operations";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** Retry a dead-lettered job (admin): a fresh set of attempts, due now; audited. */
  POST: apiRoute(
    {
      permission: "applications.manage",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such dead-lettered job.",
    },
    async ({ ctx, params }) => retryJob(ctx, params.id.toLowerCase()),
  ),
});
