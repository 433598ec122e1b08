import type { Knex } from "knex";
import type { Migration } from "../migrations.js";

// The analytics schema for SQL and BI tools (issue 6), documented column by column in
// docs/analytics.md. It is a published interface: later migrations may add columns, tables
// and views, but never rename, retype or repurpose what is here.

const at = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/** `schema()` gives a fresh builder per statement: awaiting one builder twice would re-run it. */
async function createTables(schema: () => Knex.SchemaBuilder): Promise<void> {
  await schema().createTable("domains", (t) => {
    t.uuid("domain_id").primary();
    t.uuid("user_id").notNullable();
    t.text("hostname").notNullable();
    t.integer("port").notNullable();
    t.boolean("is_active").notNullable();
    at(t, "added_at").notNullable();
    at(t, "removed_at").nullable();
    t.bigInteger("stream_revision").notNullable();
    t.index(["user_id"], "analytics_domains_user");
  });

  await schema().createTable("certificate_checks", (t) => {
    t.uuid("check_id").primary();
    t.uuid("domain_id").notNullable();
    t.uuid("user_id").notNullable();
    t.text("hostname").notNullable();
    t.integer("port").notNullable();
    t.text("trigger").notNullable();
    at(t, "checked_at").notNullable();
    t.text("ip_address").notNullable();
    t.text("subject").notNullable();
    t.text("issuer").notNullable();
    t.text("issuer_organization").nullable();
    t.text("issuer_common_name").nullable();
    t.text("serial_number").notNullable();
    t.text("fingerprint_sha256").notNullable();
    t.text("key_type").notNullable();
    t.integer("key_bits").notNullable();
    t.text("key_curve").nullable();
    t.text("signature_algorithm").notNullable();
    t.text("grade").notNullable();
    t.text("tls_version").notNullable();
    at(t, "valid_from").notNullable();
    at(t, "valid_to").notNullable();
    t.integer("days_remaining_at_check").notNullable();
    at(t, "earliest_expiry").notNullable();
    t.boolean("chain_valid").notNullable();
    t.boolean("hsts").notNullable();
    t.index(["user_id", "checked_at"], "analytics_certificate_checks_user_checked");
    t.index(["domain_id", "checked_at"], "analytics_certificate_checks_domain_checked");
    t.index(["checked_at"], "analytics_certificate_checks_checked");
    // The renewal detector's lookup: the latest-expiring certificate seen on a domain.
    t.index(["domain_id", "valid_to"], "analytics_certificate_checks_domain_valid_to");
  });

  await schema().createTable("certificate_renewals", (t) => {
    t.uuid("domain_id").notNullable();
    t.text("new_fingerprint").notNullable();
    t.uuid("user_id").notNullable();
    t.text("hostname").notNullable();
    t.integer("port").notNullable();
    t.uuid("check_id").notNullable();
    at(t, "renewed_at").notNullable();
    t.integer("days_before_expiry").notNullable();
    t.text("old_fingerprint").notNullable();
    t.text("old_issuer").notNullable();
    t.text("old_issuer_organization").nullable();
    at(t, "old_valid_to").notNullable();
    t.text("new_issuer").notNullable();
    t.text("new_issuer_organization").nullable();
    at(t, "new_valid_from").notNullable();
    at(t, "new_valid_to").notNullable();
    t.primary(["domain_id", "new_fingerprint"]);
    t.index(["user_id", "renewed_at"], "analytics_certificate_renewals_user_renewed");
    t.index(["renewed_at"], "analytics_certificate_renewals_renewed");
  });

  // Column names are those of the domains read model so that the one status rule
  // (src/monitoring/domainStatus.ts) applies to both.
  await schema().createTable("domain_status_current", (t) => {
    t.uuid("domain_id").primary();
    at(t, "ssl_checked_at").nullable();
    t.boolean("ssl_check_failed").nullable();
    at(t, "ssl_valid_to").nullable();
    at(t, "ssl_earliest_expiry").nullable();
    t.boolean("ssl_chain_valid").nullable();
    at(t, "whois_checked_at").nullable();
    t.boolean("whois_check_failed").nullable();
    at(t, "whois_expiry").nullable();
    t.bigInteger("stream_revision").notNullable();
  });

  await schema().createTable("daily_status_cursor", (t) => {
    t.boolean("singleton").primary().defaultTo(true);
    t.date("open_day").notNullable();
    t.check("singleton", [], "analytics_daily_status_cursor_singleton");
  });

  await schema().createTable("daily_domain_status", (t) => {
    t.uuid("user_id").notNullable();
    t.date("day").notNullable();
    t.text("status").notNullable();
    t.integer("domain_count").notNullable();
    t.primary(["user_id", "day", "status"]);
    t.index(["day"], "analytics_daily_domain_status_day");
  });

  await schema().createTable("alerts", (t) => {
    t.uuid("alert_id").primary();
    t.uuid("user_id").notNullable();
    t.uuid("domain_id").notNullable();
    t.text("hostname").notNullable();
    t.uuid("check_id").notNullable();
    t.text("alert_type").notNullable();
    t.text("severity").notNullable();
    t.integer("threshold_days").nullable();
    at(t, "triggered_at").notNullable();
    t.index(["user_id", "triggered_at"], "analytics_alerts_user_triggered");
    t.index(["triggered_at"], "analytics_alerts_triggered");
  });

  await schema().createTable("registrations", (t) => {
    t.uuid("domain_id").primary();
    t.uuid("user_id").notNullable();
    t.text("hostname").notNullable();
    t.text("registrable_domain").notNullable();
    t.text("registrar").nullable();
    at(t, "created_date").nullable();
    at(t, "expiry_date").nullable();
    t.integer("days_remaining_at_check").nullable();
    t.boolean("dnssec").nullable();
    t.text("source").notNullable();
    t.text("server").notNullable();
    t.uuid("check_id").notNullable();
    at(t, "checked_at").notNullable();
    t.bigInteger("stream_revision").notNullable();
    t.index(["user_id"], "analytics_registrations_user");
    t.index(["registrar"], "analytics_registrations_registrar");
  });
}

// Views need no projector: they are queries over the tables above. "Active" everywhere means
// monitored (not removed) and not paused, as in daily_domain_status.
const VIEWS = [
  `create view analytics.alert_counts as
     select user_id, (triggered_at at time zone 'UTC')::date as day, alert_type, severity, count(*)::int as alert_count
     from analytics.alerts
     group by 1, 2, 3, 4`,
  `create view analytics.latest_certificates as
     select distinct on (c.domain_id) c.*
     from analytics.certificate_checks c
     join analytics.domains d on d.domain_id = c.domain_id and d.is_active and d.removed_at is null
     order by c.domain_id, c.checked_at desc, c.check_id`,
  `create view analytics.issuer_distribution as
     select user_id, issuer_organization, count(*)::int as domain_count
     from analytics.latest_certificates
     group by 1, 2`,
  `create view analytics.registrar_distribution as
     select r.user_id, r.registrar, count(*)::int as domain_count
     from analytics.registrations r
     join analytics.domains d on d.domain_id = r.domain_id and d.is_active and d.removed_at is null
     group by 1, 2`,
];

export const migration: Migration = {
  name: "0006_analytics",
  async up(knex) {
    await knex.raw("create schema analytics");
    await createTables(() => knex.schema.withSchema("analytics"));
    for (const view of VIEWS) await knex.raw(view);
  },
  async down(knex) {
    await knex.raw("drop schema analytics cascade");
  },
};
