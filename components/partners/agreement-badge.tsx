import { Badge } from "@/components/ui/badge";
import type { PartnerDto } from "@/lib/schemas/partners";

/**
 * "expires in N days" within 30 days, "expired" after the end day, "no agreement in force" when
 * the reference or the signing date is missing (nothing is shared or imported then).
 */
export function AgreementBadge({
  partner,
}: {
  partner: Pick<PartnerDto, "agreementState" | "agreementDaysLeft">;
}) {
  const days = partner.agreementDaysLeft;
  switch (partner.agreementState) {
    case "expired":
      return <Badge tone="danger">expired</Badge>;
    case "expiring":
      return (
        <Badge tone="warning">
          {days === 0 ? "expires today" : `expires in ${days} ${days === 1 ? "day" : "days"}`}
        </Badge>
      );
    case "none":
      return <Badge tone="danger">no agreement in force</Badge>;
    default:
      return null;
  }
}

export function PartnerStatusBadge({ status }: { status: PartnerDto["status"] }) {
  return <Badge tone={status === "active" ? "success" : "danger"}>{status}</Badge>;
}
