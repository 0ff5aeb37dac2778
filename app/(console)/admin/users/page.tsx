import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { UsersView } from "@/components/users/users-view";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const { actor, allowed } = await requirePageActor("users.manage");
  if (!allowed) forbidden();
  return <UsersView currentUserId={actor.id} />;
}
