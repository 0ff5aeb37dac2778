import "server-only";

/** The kernel every domain builds on: context, errors, permission checks, dependencies, ids. */
export { assertCan } from "./access";
export { createContext, systemContext, type Actor, type ContextInit, type ServiceContext } from "./context";
export { diditOf, type ServiceDeps } from "./deps";
export { AppError, ERROR_STATUS, type ErrorCode } from "./errors";
export { decodeKeysetCursor, encodeKeysetCursor } from "./keyset-cursor";
export { isUuid, UUID_RE } from "@/lib/ids";
export {
  classifyAnswer,
  networkCode,
  partnerRequest,
  PARTNER_TIMEOUT_MS,
  signedHeaders,
  type AnswerPolicy,
  type AnswerVerdict,
  type PartnerAnswer,
  type PartnerRequest,
} from "./partner-transport";
