import "server-only";
import type { CloneViewDto, DifferenceDto } from "@/lib/schemas/reviews";

/**
 * What changed at a sister brand's source since it was shared, field by field: first the four
 * kinds an officer must not miss (status, new AML hits, a document expired since, reviews added),
 * then every other field of the feature arrays as changed / added / removed. Pure and
 * deterministic. Ignores what always differs between a clone and its source (session ids and
 * numbers, timestamps of creation, node ids, media URLs).
 */

type Kind = DifferenceDto["kind"];

const FEATURE_LABELS: Record<string, string> = {
  id_verifications: "Identity document",
  liveness_checks: "Liveness check",
  face_matches: "Face match",
  aml_screenings: "AML screening",
  database_validations: "Database validation",
  proof_of_address: "Proof of address",
  location_checks: "Location check",
  phone_verifications: "Phone verification",
  email_verifications: "Email verification",
  registry_checks: "Registry check",
  key_people_checks: "Key person",
  document_verifications: "Company document",
  questionnaires: "Questionnaire",
};

const FIELD_LABELS: Record<string, string> = {
  kyc: "KYC",
  aml: "AML",
  ubo: "UBO",
  is_ubo: "UBO",
  is_pep: "PEP",
  pep: "PEP",
  ip: "IP",
  ip_address: "IP address",
  total_hits: "Hits",
  url: "URL",
};

/** Keys whose values always differ between a clone and its source. */
const IGNORED_KEYS = new Set([
  "session_id",
  "session_number",
  "created_at",
  "updated_at",
  "node_id",
  "id",
  "uuid",
  "request_id",
]);

/** Keys naming a media file (their URLs differ per session and per request). */
const MEDIA_KEY_RE =
  /(^|_)(image|images|video|videos|url|urls|file|files|frame|selfie|extract)($|_)|^selfie|^document.*file/;

const EXPIRY_KEYS = new Set(["expiration_date", "expiry_date", "expires_at", "expires_on", "valid_until"]);

/** Identity of an element in a list whose order may change (a person, a document). */
const IDENTITY_KEYS: Record<string, string[]> = {
  key_people_checks: ["full_name", "date_of_birth"],
  document_verifications: ["document_type"],
};

function isMediaValue(value: unknown): boolean {
  return typeof value === "string" && (/^https?:\/\//i.test(value) || value.startsWith("/api/imports/"));
}

function ignoredKey(key: string): boolean {
  return IGNORED_KEYS.has(key) || MEDIA_KEY_RE.test(key);
}

export function fieldLabel(key: string): string {
  const known = FIELD_LABELS[key];
  if (known) return known;
  const words = key.replace(/_/g, " ").trim();
  return words.length === 0 ? key : words[0]!.toUpperCase() + words.slice(1);
}

function featureLabel(key: string): string {
  return FEATURE_LABELS[key] ?? fieldLabel(key);
}

/** `["key_people_checks", 1, "kyc", "status"]` → "Key person 2 · KYC · Status". */
export function labelOf(path: (string | number)[]): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    const next = path[i + 1];
    if (typeof step === "string") {
      const name = i === 0 ? featureLabel(step) : fieldLabel(step);
      if (typeof next === "number") {
        parts.push(`${name} ${next + 1}`);
        i++;
      } else parts.push(name);
    } else parts.push(`Item ${step + 1}`);
  }
  return parts.join(" · ");
}

function diff(
  kind: Kind,
  path: (string | number)[],
  clone: unknown,
  source: unknown,
  label?: string,
): DifferenceDto {
  return { path: path.join("."), label: label ?? labelOf(path), kind, clone, source };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!equal(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Hits of one screening: `total_hits`, else the length of `hits`. */
function hitsOf(screening: Record<string, unknown> | undefined): number {
  if (!screening) return 0;
  if (typeof screening.total_hits === "number") return screening.total_hits;
  return Array.isArray(screening.hits) ? screening.hits.length : 0;
}

/** A date or time string as a UTC day (`YYYY-MM-DD`), or null. */
function dayOf(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  if (m) return m[1]!;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString().slice(0, 10);
}

/** Elements paired by identity where a list has one, else by position. */
function pairElements(
  feature: string,
  clone: Record<string, unknown>[],
  source: Record<string, unknown>[],
): {
  clone: Record<string, unknown> | undefined;
  source: Record<string, unknown> | undefined;
  index: number;
}[] {
  const identity = IDENTITY_KEYS[feature];
  const keyOf = (e: Record<string, unknown>) =>
    identity && identity.every((k) => typeof e[k] === "string" && e[k] !== "")
      ? JSON.stringify(identity.map((k) => String(e[k]).normalize("NFC").toLowerCase()))
      : null;
  const usable =
    identity !== undefined &&
    [...clone, ...source].every((e) => keyOf(e) !== null) &&
    new Set(clone.map(keyOf)).size === clone.length &&
    new Set(source.map(keyOf)).size === source.length;
  if (!usable) {
    const n = Math.max(clone.length, source.length);
    return Array.from({ length: n }, (_, i) => ({ clone: clone[i], source: source[i], index: i }));
  }
  const byKey = new Map(clone.map((e, i) => [keyOf(e) as string, i]));
  const out: {
    clone: Record<string, unknown> | undefined;
    source: Record<string, unknown> | undefined;
    index: number;
  }[] = [];
  const matched = new Set<number>();
  source.forEach((e, i) => {
    const ci = byKey.get(keyOf(e) as string);
    if (ci !== undefined) matched.add(ci);
    out.push({ clone: ci === undefined ? undefined : clone[ci], source: e, index: i });
  });
  // A removed element keeps its index in the clone (the source has no place for it).
  clone.forEach((e, i) => {
    if (!matched.has(i)) out.push({ clone: e, source: undefined, index: i });
  });
  return out;
}

/** Field-by-field differences of two values at `path` (media and volatile keys skipped). */
function walk(path: (string | number)[], clone: unknown, source: unknown, out: DifferenceDto[]): void {
  if (isMediaValue(clone) || isMediaValue(source)) return;
  if (clone === undefined && source === undefined) return;
  if (clone === undefined) {
    out.push(diff("added", path, null, source));
    return;
  }
  if (source === undefined) {
    out.push(diff("removed", path, clone, null));
    return;
  }
  if (isPlainObject(clone) && isPlainObject(source)) {
    const keys = [...new Set([...Object.keys(clone), ...Object.keys(source)])].sort();
    for (const k of keys) {
      if (ignoredKey(k)) continue;
      walk([...path, k], clone[k], source[k], out);
    }
    return;
  }
  if (Array.isArray(clone) && Array.isArray(source)) {
    if (equal(clone, source)) return;
    const allObjects = [...clone, ...source].every(isPlainObject);
    if (!allObjects) {
      // A list of plain values (datasets, categories): one change for the list as a whole.
      out.push(diff("changed", path, clone, source));
      return;
    }
    const n = Math.max(clone.length, source.length);
    for (let i = 0; i < n; i++) walk([...path, i], clone[i], source[i], out);
    return;
  }
  if (!equal(clone, source)) out.push(diff("changed", path, clone, source));
}

function comparePaths(a: DifferenceDto, b: DifferenceDto): number {
  const pa = a.path.split(".");
  const pb = b.path.split(".");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : null;
    const ny = /^\d+$/.test(y) ? Number(y) : null;
    if (nx !== null && ny !== null) return nx - ny;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

const TYPED_ORDER: Kind[] = ["status_changed", "new_aml_hits", "document_expired", "reviews_added"];

export function diffDecisions(clone: CloneViewDto, source: CloneViewDto, now: Date): DifferenceDto[] {
  const typed: DifferenceDto[] = [];
  const fields: DifferenceDto[] = [];
  const today = now.toISOString().slice(0, 10);
  const cloneDay = dayOf(clone.createdAt) ?? today;

  if (clone.status !== source.status) {
    typed.push(diff("status_changed", ["status"], clone.status, source.status, "Status"));
  }

  // New AML hits, per screening (KYC screenings and KYB screenings share the key).
  const cloneAml = clone.featureData.aml_screenings ?? [];
  (source.featureData.aml_screenings ?? []).forEach((s, i) => {
    const before = hitsOf(cloneAml[i]);
    const after = hitsOf(s);
    if (after > before) {
      typed.push(diff("new_aml_hits", ["aml_screenings", i, "total_hits"], before, after));
    }
  });

  // A document valid when the clone was made and expired now, at the source.
  for (const feature of ["id_verifications", "document_verifications"]) {
    (source.featureData[feature] ?? []).forEach((doc, i) => {
      for (const key of Object.keys(doc).sort()) {
        if (!EXPIRY_KEYS.has(key)) continue;
        const day = dayOf(doc[key]);
        if (day !== null && day < today && day >= cloneDay) {
          const before = clone.featureData[feature]?.[i]?.[key] ?? null;
          typed.push(diff("document_expired", [feature, i, key], before, doc[key]));
        }
      }
    });
  }

  // Reviews made at the source after the clone was created.
  const cloneCreated = Date.parse(clone.createdAt);
  const known = new Set(clone.reviews.map((r) => JSON.stringify([r.newStatus, r.comment, r.createdAt])));
  source.reviews.forEach((r, i) => {
    const at = r.createdAt === null ? Number.NaN : Date.parse(r.createdAt);
    if (Number.isNaN(at) || at <= cloneCreated) return;
    if (known.has(JSON.stringify([r.newStatus, r.comment, r.createdAt]))) return;
    typed.push(diff("reviews_added", ["reviews", i], null, r, `Review ${i + 1} at the source`));
  });

  const features = [
    ...new Set([...Object.keys(clone.featureData), ...Object.keys(source.featureData)]),
  ].sort();
  for (const feature of features) {
    const c = clone.featureData[feature] ?? [];
    const s = source.featureData[feature] ?? [];
    for (const pair of pairElements(feature, c, s))
      walk([feature, pair.index], pair.clone, pair.source, fields);
  }

  typed.sort((a, b) => TYPED_ORDER.indexOf(a.kind) - TYPED_ORDER.indexOf(b.kind) || comparePaths(a, b));
  fields.sort((a, b) => comparePaths(a, b) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  // A typed difference is not listed again as a plain change of the same field.
  const typedPaths = new Set(typed.map((d) => d.path));
  return [...typed, ...fields.filter((d) => !typedPaths.has(d.path))];
}
