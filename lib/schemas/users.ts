import { z } from "zod";
import { ROLES } from "@/lib/rbac";

export const createUserRequestSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: "Enter a valid email address" }))
    .pipe(z.string().max(254)),
  name: z.string().trim().min(1, "Name is required").max(120),
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

export const loginRequestSchema = z.object({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(1024),
});
