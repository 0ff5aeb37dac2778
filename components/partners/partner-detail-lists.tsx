"use client";

import { Send, Users } from "lucide-react";
import Link from "next/link";
import { ShareStateBadge } from "@/components/shares/share-state-badge";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { PartnerDetailDto } from "@/lib/schemas/partners";

export function ContactsCard({ partner: p, canManage }: { partner: PartnerDetailDto; canManage: boolean }) {
  return (
    <Card
      title={
        <>
          <Users aria-hidden /> Contacts
        </>
      }
    >
      {p.contacts.length === 0 ? (
        <p className="text-sm text-slate-600">
          No contacts recorded{canManage ? ": add them with Edit." : "."}
        </p>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2">
          {p.contacts.map((c, i) => (
            <li key={i} className="text-sm">
              <p className="font-medium text-slate-900">
                {c.name}
                {c.role && <span className="font-normal text-slate-600"> · {c.role}</span>}
              </p>
              {c.email && (
                <a className="text-brand-700 underline-offset-4 hover:underline" href={`mailto:${c.email}`}>
                  {c.email}
                </a>
              )}
              {c.phone && <p className="text-slate-700">{c.phone}</p>}
            </li>
          ))}
        </ul>
      )}
      {p.notes && <p className="mt-4 whitespace-pre-wrap text-sm text-slate-700">{p.notes}</p>}
    </Card>
  );
}

export function RecentSharesCard({ partner: p }: { partner: PartnerDetailDto }) {
  return (
    <Card
      title={
        <>
          <Send aria-hidden /> Recent shares
        </>
      }
    >
      {p.recentShares.length === 0 ? (
        <p className="text-sm text-slate-600">
          Nothing shared with {p.name} yet. Officers share from the Sessions page.
        </p>
      ) : (
        <Table aria-label={`Recent shares with ${p.name}`}>
          <TableHeader>
            <TableRow>
              <TableHead scope="col">Share</TableHead>
              <TableHead scope="col">Session</TableHead>
              <TableHead scope="col">State</TableHead>
              <TableHead scope="col">Created</TableHead>
              <TableHead scope="col">Expires</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {p.recentShares.map((s) => (
              <TableRow key={s.id}>
                <TableCell>
                  <Link
                    href={`/shares/${s.id}`}
                    className="font-mono text-xs text-brand-700 underline-offset-4 hover:underline"
                    aria-label={`Share ${s.id}`}
                  >
                    {s.id.slice(0, 8)}
                  </Link>
                </TableCell>
                <TableCell>
                  {s.sessionNumber !== null ? `#${s.sessionNumber}` : s.sessionId.slice(0, 8)}{" "}
                  <span className="text-xs text-slate-600">{s.sessionKind === "user" ? "KYC" : "KYB"}</span>
                </TableCell>
                <TableCell>
                  <ShareStateBadge state={s.state} />
                </TableCell>
                <TableCell>
                  <DateTime value={s.createdAt} className="whitespace-nowrap" />
                </TableCell>
                <TableCell>
                  <DateTime value={s.expiresAt} className="whitespace-nowrap" />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}
