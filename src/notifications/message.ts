// What a notification says (issue #15): the facts of the alert made into template variables,
// and the default title and body, which a channel may override with its own templates
// ({{variable}} placeholders; the list is in docs/notifications.md). Pure: the send-time facts
// (issuer, registrar, grade, time zone, base URL) come in as data.
import { daysUntil } from "../shared/clock.js";
import type { NotificationFacts } from "./facts.js";
import type { Template } from "./events.js";

export interface MessageContext {
  readonly facts: NotificationFacts;
  /** IANA time zone of the user (alert settings), e.g. "Europe/Berlin". */
  readonly timeZone: string;
  /** SSLTRACKR_PUBLIC_URL, or null: then messages carry no link. */
  readonly baseUrl: string | null;
  readonly issuer: string | null;
  readonly registrar: string | null;
  readonly grade: string | null;
}

export interface Message {
  readonly title: string;
  readonly text: string;
  readonly link: string | null;
  readonly variables: Readonly<Record<string, string>>;
}

const ISO_AT_END = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)$/;

/** The expiry instant an expiry alert is about: its dedupe key names it ("<kind>:<name>:<instant>:<step>"). */
export function expiryInstant(facts: Pick<NotificationFacts, "alertType" | "dedupeKey">): string | null {
  if (facts.alertType !== "ssl_expiry" && facts.alertType !== "domain_expiry") return null;
  const fact = facts.dedupeKey.slice(0, facts.dedupeKey.lastIndexOf(":"));
  return ISO_AT_END.exec(fact)?.[1] ?? null;
}

/** "2026-03-25 14:00 CET": the instant in the user's time zone, to the minute, with the zone's name. */
export function localTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(new Date(iso));
  const p = (type: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === type)?.value ?? "";
  return `${p("year")}-${p("month")}-${p("day")} ${p("hour")}:${p("minute")} ${p("timeZoneName")}`;
}

const WHAT: Record<string, string> = { ssl_expiry: "certificate", domain_expiry: "registration" };
const REASONS: Record<string, string> = {
  renewed: "the certificate was renewed",
  registration_renewed: "the registration was renewed",
  check_recovered: "the check succeeds again",
  chain_fixed: "the certificate chain is valid again",
  grade_recovered: "the grade is back",
  replaced: "the certificate was replaced by one that expires no later",
  registration_changed: "the registration's expiry date moved earlier",
};

/** Every variable a template may use; unknown facts are empty strings. */
export function messageVariables(ctx: MessageContext): Record<string, string> {
  const f = ctx.facts;
  const expiresAt = expiryInstant(f);
  const link = ctx.baseUrl ? `${ctx.baseUrl.replace(/\/+$/, "")}/domains/${f.domainId}` : "";
  return {
    event: f.event,
    hostname: f.hostname,
    alert_type: f.alertType,
    severity: f.severity,
    title: f.title,
    message: f.message,
    what_expires: WHAT[f.alertType] ?? "",
    expires_at: expiresAt ?? "",
    expires_at_local: expiresAt ? localTime(expiresAt, ctx.timeZone) : "",
    days_left: expiresAt ? String(daysUntil(new Date(expiresAt), new Date(f.triggeredAt))) : "",
    threshold_days: f.thresholdDays === null ? "" : String(f.thresholdDays),
    time_zone: ctx.timeZone,
    issuer: ctx.issuer ?? "",
    registrar: ctx.registrar ?? "",
    grade: ctx.grade ?? "",
    link,
    triggered_at_local: localTime(f.triggeredAt, ctx.timeZone),
    at_local: localTime(f.at, ctx.timeZone),
    reason: f.reason ? (REASONS[f.reason] ?? f.reason) : "",
  };
}

/** Replaces {{name}} (spaces allowed inside the braces); an unknown name is left as written, so a typo shows. */
export const renderTemplate = (template: string, variables: Readonly<Record<string, string>>): string =>
  template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => variables[name] ?? whole);

const DEFAULT_TITLE: Record<NotificationFacts["event"], string> = {
  raised: "{{title}}: {{hostname}}",
  resolved: "Resolved: {{title}}: {{hostname}}",
  acknowledged: "Acknowledged: {{title}}: {{hostname}}",
};

const GRADE_IS_NEWS = new Set(["grade_dropped", "ssl_invalid", "certificate_changed"]);

/**
 * The send-time facts a message names, as label/value pairs: the issuer for certificate
 * alerts, the registrar for registration alerts, the grade where it is the news. One rule for
 * the default body and the providers' fact lists (Teams, Discord), so no format says more.
 */
export function sendTimeFacts(v: Readonly<Record<string, string>>): [string, string][] {
  const type = v["alert_type"] ?? "";
  const pairs: [string, string][] = [];
  if (v["issuer"] && type !== "domain_expiry") pairs.push(["Issuer", v["issuer"]]);
  if (v["registrar"] && type === "domain_expiry") pairs.push(["Registrar", v["registrar"]]);
  if (v["grade"] && GRADE_IS_NEWS.has(type)) pairs.push(["Grade", v["grade"]]);
  return pairs;
}

function defaultBody(v: Record<string, string>, event: NotificationFacts["event"]): string {
  const lines = [v["message"]!];
  if (event === "resolved") lines.unshift(`Resolved at ${v["at_local"]}: ${v["reason"]}.`);
  if (event === "acknowledged") lines.unshift(`Acknowledged at ${v["at_local"]}.`);
  if (v["expires_at"]) lines.push(`The ${v["what_expires"]} of ${v["hostname"]} expires ${v["expires_at_local"]} (${v["days_left"]} days left).`);
  for (const [label, value] of sendTimeFacts(v)) lines.push(`${label}: ${value}`);
  if (v["link"]) lines.push(v["link"]);
  return lines.join("\n");
}

/** The message for one delivery: the channel's templates where it has them, else the defaults. */
export function buildMessage(ctx: MessageContext, template: Template | null): Message {
  const variables = messageVariables(ctx);
  const event = ctx.facts.event;
  return {
    title: renderTemplate(template?.title ?? DEFAULT_TITLE[event], variables),
    text: template?.body ? renderTemplate(template.body, variables) : defaultBody(variables, event),
    link: variables["link"] || null,
    variables,
  };
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** The text as simple HTML (e-mail's HTML part): escaped, one paragraph per line, the link clickable. */
export function htmlOf(message: Message): string {
  const paragraphs = message.text
    .split("\n")
    .map((line) => (line === message.link ? `<p><a href="${escapeHtml(line)}">Open ${escapeHtml(message.variables["hostname"] ?? "")} in SSLTrackr</a></p>` : `<p>${escapeHtml(line)}</p>`));
  return `<!doctype html><html><body><h2>${escapeHtml(message.title)}</h2>${paragraphs.join("")}</body></html>`;
}
