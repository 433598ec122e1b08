// What a digest e-mail says (issue #15, 3): the expiry report and the user's unresolved
// alerts made into a subject, a plain-text part and an HTML part. Pure. Sections, each left
// out when empty: what expires (soonest first, as the report sorts it), grade drops (open
// grade_dropped alerts), failing checks, other open alerts (oldest first). Dates are in the
// user's time zone (localTime, as alert messages state them); with a base URL each domain
// links to its page. Every value from the database is escaped in the HTML part.
import { expiredAgo } from "../monitoring/alertMessages.js";
import { escapeHtml, localTime } from "../notifications/message.js";
import type { ExpiringItem, ExpiringReport, FailingCheck } from "./expiringReport.js";

/** An unresolved alert (open or acknowledged) as the digest lists it. */
export interface DigestAlert {
  readonly domain_id: string;
  readonly hostname: string;
  readonly alert_type: string;
  readonly severity: string;
  readonly title: string;
  readonly triggered_at: string;
  readonly state: "open" | "acknowledged";
}

export interface DigestInput {
  readonly report: ExpiringReport;
  readonly alerts: readonly DigestAlert[];
  /** IANA time zone of the user (alert settings). */
  readonly timeZone: string;
  /** SSLTRACKR_PUBLIC_URL, or null: then no links. */
  readonly baseUrl: string | null;
}

export interface DigestMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Nothing expires, fails or alerts: sent only when the user asked for empty digests. */
  readonly empty: boolean;
}

interface Line {
  readonly text: string;
  readonly domainId: string;
  readonly hostname: string;
}

interface Section {
  readonly heading: string;
  readonly lines: readonly Line[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function daysText(item: ExpiringItem, now: Date): string {
  if (item.lapsed) return "lapsed";
  if (item.days_remaining < 0) return `expired ${expiredAgo(item.expires_at, now)}`;
  return `${plural(item.days_remaining, "day")} left`;
}

function expiringLine(item: ExpiringItem, timeZone: string, now: Date): Line {
  const who = item.what === "certificate" ? (item.issuer ? `, issuer ${item.issuer}` : "") : item.registrar ? `, registrar ${item.registrar}` : "";
  const grade = item.grade && item.what === "certificate" ? `, grade ${item.grade}` : "";
  const name = item.what === "certificate" && item.port !== 443 ? `${item.hostname}:${item.port}` : item.hostname;
  return {
    text: `${name}: ${item.what} expires ${localTime(item.expires_at, timeZone)} (${daysText(item, now)})${who}${grade}`,
    domainId: item.domain_id,
    hostname: item.hostname,
  };
}

const failingLine = (f: FailingCheck, timeZone: string): Line => ({
  text: `${f.hostname}: ${f.check === "ssl" ? "SSL" : "WHOIS"} check failing since ${localTime(f.checked_at, timeZone)}: ${f.message}`,
  domainId: f.domain_id,
  hostname: f.hostname,
});

const alertLine = (a: DigestAlert, timeZone: string): Line => ({
  text: `${a.hostname}: ${a.title} (${a.severity}, since ${localTime(a.triggered_at, timeZone)}${a.state === "acknowledged" ? ", acknowledged" : ""})`,
  domainId: a.domain_id,
  hostname: a.hostname,
});

const byTriggered = (a: DigestAlert, b: DigestAlert) => a.triggered_at.localeCompare(b.triggered_at) || a.hostname.localeCompare(b.hostname);

function sections(input: DigestInput): Section[] {
  const { report, timeZone } = input;
  const alerts = [...input.alerts].sort(byTriggered);
  const generatedAt = new Date(report.generated_at);
  return [
    { heading: `Expiring within ${plural(report.within_days, "day")}`, lines: report.expiring.map((i) => expiringLine(i, timeZone, generatedAt)) },
    { heading: "Grade drops", lines: alerts.filter((a) => a.alert_type === "grade_dropped").map((a) => alertLine(a, timeZone)) },
    { heading: "Failing checks", lines: report.failing_checks.map((f) => failingLine(f, timeZone)) },
    { heading: "Other open alerts", lines: alerts.filter((a) => a.alert_type !== "grade_dropped").map((a) => alertLine(a, timeZone)) },
  ].filter((s) => s.lines.length > 0);
}

function subjectOf(input: DigestInput): string {
  const { report, alerts } = input;
  const parts = [
    report.expiring.length > 0 ? `${report.expiring.length} expiring` : "",
    report.failing_checks.length > 0 ? plural(report.failing_checks.length, "failing check") : "",
    alerts.length > 0 ? plural(alerts.length, "open alert") : "",
  ].filter(Boolean);
  return `SSLTrackr digest: ${parts.length > 0 ? parts.join(", ") : `nothing expires within ${plural(report.within_days, "day")}`}`;
}

/** The digest for one user; `empty` when there is nothing to report. */
export function composeDigest(input: DigestInput): DigestMail {
  const found = sections(input);
  const link = (domainId: string) => (input.baseUrl ? `${input.baseUrl.replace(/\/+$/, "")}/domains/${domainId}` : null);
  const intro = `Your SSLTrackr digest of ${localTime(input.report.generated_at, input.timeZone)}.`;
  const nothing = `Nothing expires within ${plural(input.report.within_days, "day")}, no check is failing and no alert is open.`;

  const textLines = [intro, ""];
  for (const s of found) {
    textLines.push(s.heading, ...s.lines.map((l) => `- ${l.text}${link(l.domainId) ? `\n  ${link(l.domainId)}` : ""}`), "");
  }
  if (found.length === 0) textLines.push(nothing);

  const htmlLine = (l: Line) => {
    const href = link(l.domainId);
    return `<li>${escapeHtml(l.text)}${href ? ` <a href="${escapeHtml(href)}">Open ${escapeHtml(l.hostname)}</a>` : ""}</li>`;
  };
  const body = found.length === 0 ? `<p>${escapeHtml(nothing)}</p>` : found.map((s) => `<h3>${escapeHtml(s.heading)}</h3><ul>${s.lines.map(htmlLine).join("")}</ul>`).join("");
  const subject = subjectOf(input);
  return {
    subject,
    text: textLines.join("\n").trimEnd() + "\n",
    html: `<!doctype html><html><body><h2>${escapeHtml(subject)}</h2><p>${escapeHtml(intro)}</p>${body}</body></html>`,
    empty: found.length === 0,
  };
}
