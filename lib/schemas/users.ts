import { z } from "zod";
import { ROLES } from "@/lib/rbac";

export const createUserRequestSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: "Enter a valid email address" }))
    .pipe(z.string().max(254, "Use at most 254 characters")),
  name: z
    .string()
    .trim()
    .min(1, "Name is required")
    .max(120, "Use at most 120 characters")
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "The name cannot contain control characters"),
  role: z.enum(ROLES, { message: `Role must be one of ${ROLES.join(", ")}` }),
});
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

export const updateUserRequestSchema = z
  .object({
    role: z.enum(ROLES, { message: `Role must be one of ${ROLES.join(", ")}` }).optional(),
    status: z.enum(["active", "disabled"]).optional(),
  })
  .refine((v) => v.role !== undefined || v.status !== undefined, {
    message: "Nothing to change: give a role or a status",
  });
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

export type UserDto = {
  id: string;
  email: string;
  name: string;
  role: (typeof ROLES)[number];
  status: "active" | "disabled";
  createdAt: string;
  lastLoginAt: string | null;
  sso: boolean;
};

/** Longest sign-in input a form can send; anything longer is refused as malformed (and audited). */
export const LOGIN_EMAIL_MAX = 254;
export const LOGIN_PASSWORD_MAX = 1024;

/** What the sign-in form checks before anything is sent: both fields filled in. */
export const loginFormSchema = z.object({
  email: z.string().trim().min(1, "Enter your email"),
  password: z.string().min(1, "Enter your password"),
});
export type LoginForm = z.infer<typeof loginFormSchema>;

/** The sign-in form's state between submissions (the Server Action's answer). */
export type LoginFormState = {
  /** A message about the whole attempt (wrong password, locked, disabled). */
  error?: string;
  fields?: Partial<Record<keyof LoginForm, string>>;
  /** The email typed, echoed back so a refused attempt need not retype it. */
  email?: string;
};
