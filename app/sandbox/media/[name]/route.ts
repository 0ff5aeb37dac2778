import { getEnv } from "@/lib/env";
import { methodNotAllowed } from "@/lib/server/sandbox/http";
import { mediaImage } from "@/lib/server/sandbox/media";

export const dynamic = "force-dynamic";

const notFound = () => Response.json({ detail: "Not found." }, { status: 404 });

/** Placeholder images referenced by sandbox session payloads (document photos, selfies, KYB files). */
export async function GET(_req: Request, { params }: { params: Promise<{ name: string }> }) {
  if (!getEnv().SANDBOX_ENABLED) return notFound();
  const image = mediaImage((await params).name);
  if (!image) return notFound();
  return new Response(new Uint8Array(image.body), {
    headers: {
      "content-type": image.contentType,
      "content-length": String(image.body.length),
      "cache-control": "public, max-age=86400",
    },
  });
}

/** Read-only: other methods get DRF's JSON 405 (a 404 while the sandbox is off), not Next's empty one. */
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
