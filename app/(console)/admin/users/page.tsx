import type { Metadata } from "next";
import { Forbidden } from "@/components/layout/forbidden";
import { UsersView } from "@/components/users/users-view";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const { actor, allowed } = await requirePageActor("users.manage");
  if (!allowed) return <Forbidden what="user administration" />;
  return <UsersView currentUserId={actor.id} />;
}
