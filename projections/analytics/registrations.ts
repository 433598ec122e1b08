// analytics.registrations: the latest registration facts of each domain. A failed check
// leaves them as they were (it shows in daily_domain_status as "error").
import type { RegistrationCheckOk } from "../../src/checkers/registration/result.js";
import type { Row } from "../../src/infrastructure/projections/rowWrites.js";

export interface WhoisCheckedData {
  readonly checkId: string;
  readonly domainId: string;
  readonly result: RegistrationCheckOk;
}

/** The domain's whole row after a successful check at stream revision `revision`. */
export function registrationRow(userId: string, check: WhoisCheckedData, revision: string): Row {
  const r = check.result;
  return {
    domain_id: check.domainId,
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
}
