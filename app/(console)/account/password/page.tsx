import type { Metadata } from "next";
import { ChangePasswordLoader } from "@/components/auth/change-password-loader";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageActor } from "@/lib/server/auth/page";
import { getDb } from "@/lib/server/db/client";
import { createContext } from "@/lib/server/kernel";
import { getAccountPassword } from "@/lib/server/services/access";

export const metadata: Metadata = { title: "Change password" };

export default async function ChangePasswordPage() {
  const { actor } = await requirePageActor();
  const account = await getAccountPassword(createContext(await getDb(), { actor, requestId: "page" }));
  return (
    <>
      <PageHeader
        title="Change password"
        description="Your other sessions are signed out when the password changes; this one stays signed in."
      />
      <div className="max-w-md space-y-4">
        {account.mustChangePassword && (
          <Alert tone="info" title="Choose your own password to continue">
            You signed in with a one-time password set by an administrator. The console opens once you have
            replaced it.
          </Alert>
        )}
        <Card>
          <div className="p-4">
            {account.hasPassword ? (
              <ChangePasswordLoader email={actor.email} />
            ) : (
              <p className="text-sm text-slate-700">
                You sign in with single sign-on: your password is changed with your identity provider, not
                here.
              </p>
            )}
          </div>
        </Card>
      </div>
    </>
  );
}
