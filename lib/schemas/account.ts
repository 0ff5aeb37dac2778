import { z } from "zod";

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

const passwordFields = {
  currentPassword: z
    .string({ message: "Enter your current password" })
    .min(1, "Enter your current password")
    .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`),
  newPassword: z
    .string({ message: "Enter a new password" })
    .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
    .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`),
};

const differs = (v: { currentPassword: string; newPassword: string }) => v.newPassword !== v.currentPassword;
const differsIssue = { message: "Choose a password different from the current one", path: ["newPassword"] };

/** `POST /api/account/password`: the signed-in user changes their own password. */
export const changePasswordRequestSchema = z.object(passwordFields).strict().refine(differs, differsIssue);
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

/** The change-password form: the request plus the new password typed twice. */
export const changePasswordFormSchema = z
  .object({ ...passwordFields, confirmPassword: z.string() })
  .refine(differs, differsIssue)
  .refine((v) => v.confirmPassword === v.newPassword, {
    message: "The two new passwords are not the same",
    path: ["confirmPassword"],
  });
export type ChangePasswordForm = z.infer<typeof changePasswordFormSchema>;

export type ChangePasswordResponse = {
  passwordChangedAt: string;
  /** How many of the user's other sessions were signed out. */
  otherSessionsEnded: number;
};

export type AccountPasswordDto = {
  /** False for single sign-on accounts: their password lives with the identity provider. */
  hasPassword: boolean;
  mustChangePassword: boolean;
  passwordChangedAt: string | null;
};
