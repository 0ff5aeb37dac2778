import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type { CreateUserRequest, UpdateUserRequest, UserDto } from "@/lib/schemas/users";

export const userKeys = {
  all: ["users"] as const,
  list: () => ["users", "list"] as const,
};

export function useUsers() {
  return useQuery({ queryKey: userKeys.list(), queryFn: () => apiFetch<{ items: UserDto[] }>("/api/users") });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateUserRequest) =>
      apiFetch<{ user: UserDto; initialPassword: string }>("/api/users", { method: "POST", json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: UpdateUserRequest & { id: string }) =>
      apiFetch<UserDto>(`/api/users/${encodeURIComponent(id)}`, { method: "PATCH", json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** Ends every session of a user on the server ("sign out everywhere"). */
export function useRevokeSessions() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id }: { id: string }) =>
      apiFetch<{ revoked: number }>(`/api/users/${encodeURIComponent(id)}/sessions/revoke`, {
        method: "POST",
        json: {},
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}
