import "server-only";
import { z } from "zod";

/**
 * A small OpenAPI 3.1 builder over zod 4's own `z.toJSONSchema` (OpenAPI 3.1 schemas are JSON
 * Schema 2020-12): named component schemas, and `$ref`s to them. Request bodies are converted as
 * their input (unknown fields allowed, they are ignored), responses as their output.
 */

export type JsonSchema = Record<string, unknown>;

export class OpenApiComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  /** Registers `schema` under `name` (once) and answers a `$ref` to it. */
  ref(name: string, schema: z.ZodType, io: "input" | "output"): { $ref: string } {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`invalid component name ${name}`);
    if (!this.schemas[name]) this.schemas[name] = toSchema(schema, io);
    return { $ref: `#/components/schemas/${name}` };
  }
}

export function toSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const out = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** Every `$ref` in a document (tests check each resolves). */
export function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const v of node) collectRefs(v, out);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

/** Resolves a local `#/a/b` pointer in `doc`, or undefined. */
export function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!node || typeof node !== "object" || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
