export { changePassword, getAccountPassword } from "./account";
export {
  authenticate,
  authenticateOidc,
  LOCKOUT_DURATION_MS,
  LOCKOUT_THRESHOLD,
  LOCKOUT_WINDOW_MS,
  type LoginOutcome,
} from "./auth";
export {
  endSession,
  loadSessionActor,
  revokeSessionsOf,
  revokeUserSessions,
  startSession,
  type SessionEndReason,
  type SessionRef,
} from "./user-sessions";
export { bootstrapAdmin, createUser, listUsers, toUserDto, updateUser } from "./users";
