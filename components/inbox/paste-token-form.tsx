"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Inbox } from "lucide-react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import {
  Form,
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from "@/components/ui/form";
import { toast } from "@/components/ui/sonner";
import { Textarea } from "@/components/ui/textarea";
import { ApiError } from "@/lib/client/api-fetch";
import { pasteTokenRequestSchema, type PasteTokenRequest } from "@/lib/schemas/inbox";
import { usePasteToken } from "./queries";

/** A token a partner handed over by hand (e-mail, a call): checked like a push, then listed below. */
export function PasteTokenForm() {
  const paste = usePasteToken();
  const form = useForm<PasteTokenRequest>({
    resolver: zodResolver(pasteTokenRequestSchema),
    defaultValues: { token: "" },
  });

  function onSubmit(values: PasteTokenRequest) {
    paste.mutate(values, {
      onSuccess: (item) => {
        toast.success(
          `A token whose claims name ${item.partnerName ?? "a partner"} is in the inbox: unverified until Didit accepts it on import.`,
        );
        form.reset();
      },
      onError: (error) => {
        const message = error instanceof ApiError ? error.fieldErrors.token?.[0] : undefined;
        if (message) form.setError("token", { message }, { shouldFocus: true });
      },
    });
  }

  return (
    <Card
      title="Paste a token"
      description="A share token a partner sent you another way. It is checked as a pushed one is: for one of our applications, from a partner in the directory, not expired."
    >
      <Form {...form}>
        <form
          aria-label="Paste token"
          noValidate
          onSubmit={form.handleSubmit(onSubmit)}
          className="space-y-3"
        >
          <FormField
            control={form.control}
            name="token"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Share token</FormLabel>
                <FormControl>
                  <Textarea
                    rows={2}
                    autoComplete="off"
                    spellCheck={false}
                    className="font-mono text-xs"
                    placeholder="eyJhbGciOi…"
                    {...field}
                  />
                </FormControl>
                <FormDescription>Stored encrypted; it is never shown again.</FormDescription>
                <FormMessage />
              </FormItem>
            )}
          />
          {paste.isError && !form.formState.errors.token && (
            <Alert title="The token was not added">{paste.error.message}</Alert>
          )}
          <Button type="submit" pending={paste.isPending}>
            <Inbox aria-hidden />
            {paste.isPending ? "Checking…" : "Add to inbox"}
          </Button>
        </form>
      </Form>
    </Card>
  );
}
