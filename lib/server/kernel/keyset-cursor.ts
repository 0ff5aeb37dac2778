import "server-only";
import { AppError } from "./errors";

/**
 * The opaque cursor of a list ordered newest first by (time, id): base64url of `<ISO time>|<uuid>`.
 * A cursor we did not write (or a time out of range: year 0000, a 13th month) is refused with 422
 * before it reaches SQL.
 */
export function encodeKeysetCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`, "utf8").toString("base64url");
}

const CURSOR_RE =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function decodeKeysetCursor(cursor: string): { at: Date; id: string } {
  const m = CURSOR_RE.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  const at = m ? new Date(m[1]!) : null;
  if (!m || !at || Number.isNaN(at.getTime()) || at.getUTCFullYear() < 1970) {
    throw new AppError(
      "validation_failed",
      "This cursor is not from this list: start again from the first page.",
      {
        fields: { cursor: ["Not a cursor from this list"] },
      },
    );
  }
  return { at, id: m[2]! };
}
