// Per-domain Prometheus gauges for GET /metrics, read from the domains read model at scrape
// time, under the names blackbox_exporter, ssl_exporter and domain_exporter made familiar, so
// existing alerting rules and dashboards carry over (docs/prometheus.md):
//   ssl_cert_not_after              the leaf certificate's notAfter, Unix seconds (ssl_exporter)
//   probe_ssl_earliest_cert_expiry  the earliest notAfter in the verified chain, Unix seconds (blackbox_exporter)
//   ssl_probe_success               1 if the latest SSL check succeeded and the chain verified, else 0
//                                   (a certificate for another name or an untrusted chain is a failed probe, as in blackbox_exporter)
//   domain_expiry_days              whole days to the registration's expiry, negative once past (domain_exporter)
//   domain_probe_success            1 if the latest registration check succeeded, else 0 (domain_exporter)
//   ssltrackr_ssl_grade             the SSL Labs-style grade as an ordinal (GRADE_ORDINAL), the letter in label `grade`
// Every series is labelled user_id, domain_id, hostname, port: at most 6 series per domain
// (DOMAIN_SERIES), a gauge absent until its check has run. Paused and deleted domains are left
// out. SSLTRACKR_METRICS_MAX_DOMAINS caps the domains exported, soonest expiry first; the
// ssltrackr_metrics_domains gauge says how many were monitored and exported.
import type { Knex } from "knex";
import { Gauge, Registry } from "prom-client";
import { GRADES, type Grade } from "../checkers/ssl/result.js";

const LABELS = ["user_id", "domain_id", "hostname", "port"] as const;

/** Higher is better; M (name mismatch) and T (untrusted) rank with F's failures below it. */
export const GRADE_ORDINAL: Readonly<Record<Grade, number>> = { "A+": 8, A: 7, "A-": 6, B: 5, C: 4, D: 3, E: 2, F: 1, M: 0, T: 0 };

export const DOMAIN_SERIES = [
  "ssl_cert_not_after",
  "probe_ssl_earliest_cert_expiry",
  "ssl_probe_success",
  "domain_expiry_days",
  "domain_probe_success",
  "ssltrackr_ssl_grade",
] as const;

interface Row {
  id: string;
  user_id: string;
  hostname: string;
  port: number;
  ssl_grade: string | null;
  ssl_valid_to: Date | null;
  ssl_earliest_expiry: Date | null;
  ssl_check_failed: boolean | null;
  ssl_chain_valid: boolean | null;
  whois_expiry: Date | null;
  whois_check_failed: boolean | null;
}

const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);
const isGrade = (g: string): g is Grade => (GRADES as readonly string[]).includes(g);

/** Reads the read model and returns a new registry holding the gauges as of `now` (one per
 * scrape, so concurrent scrapes never see each other's half-filled gauges). */
export async function collectDomainGauges(knex: Knex, maxDomains: number, now: Date): Promise<Registry> {
  const [rows, total] = await Promise.all([
    maxDomains === 0
      ? Promise.resolve([] as Row[])
      : knex<Row>("domains")
          .select("id", "user_id", "hostname", "port", "ssl_grade", "ssl_valid_to", "ssl_earliest_expiry", "ssl_check_failed", "ssl_chain_valid", "whois_expiry", "whois_check_failed")
          .whereNull("deleted_at")
          .andWhere("is_active", true)
          .orderByRaw("least(ssl_earliest_expiry, ssl_valid_to, whois_expiry) asc nulls last, id")
          .limit(maxDomains),
    knex("domains").whereNull("deleted_at").andWhere("is_active", true).count<{ count: string }[]>({ count: "*" }),
  ]);
  const registry = new Registry();
  const gauge = (name: string, help: string, extra: readonly string[] = []) =>
    new Gauge({ name, help, labelNames: [...LABELS, ...extra], registers: [registry] });
  const notAfter = gauge("ssl_cert_not_after", "The leaf certificate's notAfter, Unix seconds");
  const earliest = gauge("probe_ssl_earliest_cert_expiry", "The earliest notAfter in the verified chain, Unix seconds");
  const sslSuccess = gauge("ssl_probe_success", "1 if the latest SSL check succeeded and its chain verified, else 0");
  const expiryDays = gauge("domain_expiry_days", "Whole days until the domain's registration expires (negative once past)");
  const whoisSuccess = gauge("domain_probe_success", "1 if the latest registration check succeeded, else 0");
  const grade = gauge("ssltrackr_ssl_grade", "SSL grade as an ordinal: A+ 8, A 7, A- 6, B 5, C 4, D 3, E 2, F 1, M and T 0", ["grade"]);
  const domains = new Gauge({ name: "ssltrackr_metrics_domains", help: "Active monitored domains, and those with per-domain gauges here", labelNames: ["set"], registers: [registry] });

  for (const r of rows) {
    const labels = { user_id: r.user_id, domain_id: r.id, hostname: r.hostname, port: String(r.port) };
    if (r.ssl_valid_to) notAfter.set(labels, unixSeconds(r.ssl_valid_to));
    if (r.ssl_earliest_expiry) earliest.set(labels, unixSeconds(r.ssl_earliest_expiry));
    if (r.ssl_check_failed !== null) sslSuccess.set(labels, r.ssl_check_failed || r.ssl_chain_valid === false ? 0 : 1);
    if (r.whois_expiry) expiryDays.set(labels, Math.floor((r.whois_expiry.getTime() - now.getTime()) / 86_400_000));
    if (r.whois_check_failed !== null) whoisSuccess.set(labels, r.whois_check_failed ? 0 : 1);
    if (r.ssl_grade && isGrade(r.ssl_grade)) grade.set({ ...labels, grade: r.ssl_grade }, GRADE_ORDINAL[r.ssl_grade]);
  }
  domains.set({ set: "monitored" }, Number(total[0]?.count ?? 0));
  domains.set({ set: "exported" }, rows.length);
  return registry;
}
