export const ROLE_USERS = {
  admin: {
    email: "admin@handoff.local",
    password: "handoff-admin",
    nav: [
      "Dashboard",
      "Sessions",
      "Shares",
      "Inbox",
      "Reviews",
      "Recalls",
      "Partners",
      "Lineage",
      "Applications",
      "Audit trail",
      "Users",
      "Erasure",
    ],
  },
  partnerships: {
    email: "partnerships@handoff.local",
    password: "handoff-partnerships",
    nav: ["Dashboard", "Sessions", "Shares", "Inbox", "Reviews", "Partners", "Analytics"],
  },
  officer: {
    email: "officer@handoff.local",
    password: "handoff-officer",
    nav: [
      "Dashboard",
      "Sessions",
      "Shares",
      "Inbox",
      "Reviews",
      "Recalls",
      "Partners",
      "Lineage",
      "Analytics",
    ],
  },
  auditor: {
    email: "auditor@handoff.local",
    password: "handoff-auditor",
    nav: [
      "Dashboard",
      "Sessions",
      "Shares",
      "Inbox",
      "Reviews",
      "Recalls",
      "Partners",
      "Lineage",
      "Analytics",
      "Audit trail",
    ],
  },
} as const;

export type E2ERole = keyof typeof ROLE_USERS;
export const storageFor = (role: E2ERole) => `e2e/.auth/${role}.json`;
