/**
 * Test set-up for the review suites (imported by tests only): on top of the import world (Northwind
 * Bank, a push partner, the Didit client behind a fault proxy in front of the sandbox), two
 * officers and real imported clones (a token minted by the sandbox, received, imported by an
 * officer with the partner's policy: In Review unless trust_review), and an import row written
 * directly for a session of one of our applications (suites without the inbox world).
 */
import { randomUUID } from "node:crypto";
import type { ImportDto } from "@/lib/schemas/imports";
import { imports, inboxItems } from "@/lib/server/db/schema";
import type { Db } from "@/lib/server/db/types";
import type { ServiceContext } from "@/lib/server/kernel";
import { createImport } from "@/lib/server/services/receiving/import";
import type { Sender } from "@/lib/server/services/receiving/inbox.test-kit";
import { importWorld, type ImportWorld } from "@/lib/server/services/receiving/import.test-kit";
import { addPartner } from "@/lib/server/services/sharing/shares.test-kit";
import type { Kind } from "@/test/sandbox-fixtures";
import { insertUser, type TestUser } from "@/test/session";

export type ReviewWorld = ImportWorld & {
  officerA: TestUser;
  officerB: TestUser;
  /** The service context of a test user (their role as given). */
  ctxOf: (user: TestUser, now?: () => Date) => ServiceContext;
  /** A clone imported by officer A from a fresh token of `sender` (default: the world's push partner). */
  imported: (opts?: { sender?: Sender; kind?: Kind; trustReview?: boolean }) => Promise<ImportDto>;
};

export function contextOf(db: Db, user: TestUser, now: () => Date = () => new Date()): ServiceContext {
  return {
    db,
    actor: { id: user.id, email: user.email, name: `Test ${user.role}`, role: user.role },
    now,
    requestId: `test-${randomUUID()}`,
    ip: null,
    userAgent: null,
  };
}

export async function reviewWorld(): Promise<ReviewWorld> {
  const x = await importWorld();
  const officerA = await insertUser(x.w.t.db, "officer");
  const officerB = await insertUser(x.w.t.db, "officer");
  const ctxOf = (user: TestUser, now?: () => Date) => contextOf(x.w.t.db, user, now);
  return {
    ...x,
    officerA,
    officerB,
    ctxOf,
    imported: async (opts = {}) => {
      const item = await x.item({ sender: opts.sender, kind: opts.kind });
      const dto = await createImport(
        ctxOf(officerA),
        item.id,
        opts.trustReview === undefined ? {} : { trustReview: opts.trustReview },
      );
      if (dto.state !== "imported") throw new Error(`the import failed: ${dto.failureReason}`);
      return dto;
    },
  };
}

/**
 * An import row (and its inbox item and partner) for `cloneSessionId`, a session already held by
 * our application `applicationId` at Didit, as an officer's import would have left it: imported,
 * with `status` (default In Review). Answers the import id.
 */
export async function insertImportedClone(
  db: Db,
  input: {
    applicationId: string;
    cloneSessionId: string;
    importedBy: string;
    status?: string;
    kind?: Kind;
    partner?: { id: string; diditApplicationId: string };
    requireFourEyes?: boolean;
  },
): Promise<string> {
  const now = new Date();
  const diditApplicationId = input.partner?.diditApplicationId ?? randomUUID();
  const partnerId =
    input.partner?.id ??
    (
      await addPartner(db, {
        applicationId: input.applicationId,
        diditApplicationId,
        channel: "push",
        direction: "inbound",
        requireFourEyes: input.requireFourEyes ?? false,
      })
    ).id;
  const sourceSessionId = randomUUID();
  const kind = input.kind ?? "user";
  const iat = Math.floor(now.getTime() / 1000) - 600;
  const [item] = await db
    .insert(inboxItems)
    .values({
      applicationId: input.applicationId,
      partnerId,
      source: "push",
      senderShareId: randomUUID(),
      tokenHash: `test-${randomUUID()}`,
      claims: {
        session_id: sourceSessionId,
        from_application_id: diditApplicationId,
        session_kind: kind,
        iat,
        exp: iat + 3600,
      },
      manifest: null,
      sessionKind: kind,
      sourceSessionId,
      fromApplicationId: diditApplicationId,
      expiresAt: new Date((iat + 3600) * 1000),
      state: "imported",
      receivedAt: new Date(now.getTime() - 300_000),
    })
    .returning({ id: inboxItems.id });
  const status = input.status ?? "In Review";
  const [row] = await db
    .insert(imports)
    .values({
      inboxItemId: item!.id,
      applicationId: input.applicationId,
      partnerId,
      sourceSessionId,
      sessionKind: kind,
      cloneSessionId: input.cloneSessionId,
      sharedFromSession: sourceSessionId,
      trustReview: false,
      workflowId: randomUUID(),
      vendorData: `handoff-${item!.id}`,
      statusAtImport: status,
      status,
      statusUpdatedAt: now,
      state: "imported",
      importedBy: input.importedBy,
      startedAt: new Date(now.getTime() - 60_000),
      finishedAt: new Date(now.getTime() - 60_000),
    })
    .returning({ id: imports.id });
  return row!.id;
}
