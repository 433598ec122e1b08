// Status and grade badges: colour plus text (colour alone says nothing to a screen reader or
// to someone who cannot tell red from green).
import type { DomainStatus, Grade } from "../api/client";

const STATUS_LABEL: Record<DomainStatus, string> = {
  valid: "Valid",
  warning: "Expiring soon",
  critical: "Critical",
  expired: "Expired",
  error: "Check failed",
  pending: "Not checked yet",
};

export function StatusBadge({ status }: { status: DomainStatus }) {
  return <span className={`badge status-${status}`}>{STATUS_LABEL[status]}</span>;
}

/** Grade classes by band (SSL Labs colours: A green, B-C amber, below red; T and M are trust failures). */
const gradeBand = (grade: Grade): string => (grade.startsWith("A") ? "good" : grade === "B" || grade === "C" ? "fair" : "bad");

export function GradeBadge({ grade }: { grade: Grade | null }) {
  if (!grade) return <span className="badge grade-none" title="Not graded yet">–</span>;
  return <span className={`badge grade grade-${gradeBand(grade)}`} aria-label={`Grade ${grade}`}>{grade}</span>;
}

export function SeverityBadge({ severity }: { severity: "info" | "warning" | "critical" }) {
  return <span className={`badge severity-${severity}`}>{severity}</span>;
}
