import { handlers } from "@/lib/server/auth/next-auth";
import { requestIdFrom } from "@/lib/server/http/request";
import type { NextRequest } from "next/server";

async function withRequestId(req: NextRequest, handler: (req: NextRequest) => Promise<Response>) {
  const response = await handler(req);
  response.headers.set("x-request-id", requestIdFrom(req.headers));
  return response;
}

export const GET = (req: NextRequest) => withRequestId(req, handlers.GET);
export const POST = (req: NextRequest) => withRequestId(req, handlers.POST);
