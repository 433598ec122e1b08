// analytics.registrations: the latest registration facts of each domain. A failed check
// leaves them as they were (it shows in daily_domain_status as "error").
import type { Knex } from "knex";
import type { RegistrationCheckOk } from "../../src/checkers/registration/result.js";
import type { RecordedEvent } from "../../src/infrastructure/eventStore/eventStore.js";
import { ANALYTICS } from "./tables.js";

export interface WhoisCheckedData {
  readonly checkId: string;
  readonly domainId: string;
  readonly result: RegistrationCheckOk;
}

export async function recordRegistration(
  trx: Knex.Transaction,
  userId: string,
  check: WhoisCheckedData,
  recorded: RecordedEvent,
): Promise<void> {
  const r = check.result;
  const revision = recorded.revision.toString();
  const facts = {
    user_id: userId,
    hostname: r.hostname,
    registrable_domain: r.domain,
    registrar: r.registrar,
    created_date: r.created_date,
    expiry_date: r.expiry_date,
    days_remaining_at_check: r.days_remaining,
    dnssec: r.dnssec,
    source: r.source,
    server: r.server,
    check_id: check.checkId,
    checked_at: r.checked_at,
    stream_revision: revision,
  };
  await trx(ANALYTICS.registrations)
    .insert({ domain_id: check.domainId, ...facts })
    .onConflict("domain_id")
    .merge(Object.keys(facts))
    .where(`${ANALYTICS.registrations}.stream_revision`, "<", revision);
}
