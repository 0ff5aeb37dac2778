"use client";

import { Plus, Trash2 } from "lucide-react";
import { useFieldArray, useFormContext } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Textarea } from "@/components/ui/textarea";
import { PartnerTextField } from "./partner-form-fields";
import type { PartnerFormValues } from "./partner-form-values";

/** Who to call about the partnership: a list the user grows and shrinks. */
export function ContactsSection() {
  const { control } = useFormContext<PartnerFormValues>();
  const contacts = useFieldArray({ control, name: "contacts" });
  return (
    <Card
      title="Contacts"
      actions={
        <Button
          type="button"
          size="sm"
          variant="secondary"
          onClick={() => contacts.append({ name: "", email: "", phone: "", role: "" })}
        >
          <Plus aria-hidden /> Add contact
        </Button>
      }
    >
      {contacts.fields.length === 0 ? (
        <p className="text-sm text-slate-600">No contacts yet: add who to call about this partnership.</p>
      ) : (
        <ul className="space-y-4">
          {contacts.fields.map((c, i) => (
            <li
              key={c.id}
              className="grid gap-3 md:grid-cols-[1fr_1fr_1fr_1fr_auto]"
              aria-label={`Contact ${i + 1}`}
            >
              <PartnerTextField name={`contacts.${i}.name`} label="Contact name" />
              <PartnerTextField name={`contacts.${i}.email`} label="Email" type="email" />
              <PartnerTextField name={`contacts.${i}.phone`} label="Phone" type="tel" />
              <PartnerTextField name={`contacts.${i}.role`} label="Role" placeholder="e.g. DPO" />
              <div className="md:pt-6">
                <Button
                  type="button"
                  size="icon"
                  variant="ghost"
                  aria-label={`Remove contact ${i + 1}`}
                  onClick={() => contacts.remove(i)}
                >
                  <Trash2 aria-hidden />
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function NotesSection() {
  const { control } = useFormContext<PartnerFormValues>();
  return (
    <Card title="Notes">
      <FormField
        control={control}
        name="notes"
        render={({ field }) => (
          <FormItem>
            <FormLabel>Notes (optional)</FormLabel>
            <FormControl>
              <Textarea rows={3} maxLength={2000} {...field} />
            </FormControl>
            <FormMessage />
          </FormItem>
        )}
      />
    </Card>
  );
}
