// Read models of check history: every SSL and registration check, newest first per domain.
// Back GET /domains/{id}/ssl, /whois and their /history.
import { domainStreamCodec, type DomainStreamEvent } from "../src/domains/domainStream.js";
import { defineProjection } from "../src/infrastructure/projections/projection.js";

export const SSL_CHECKS_TABLE = "ssl_checks";
export const WHOIS_CHECKS_TABLE = "whois_checks";

export const checkHistoryProjection = defineProjection<DomainStreamEvent>({
  name: "check_history",
  tables: [SSL_CHECKS_TABLE, WHOIS_CHECKS_TABLE],
  codecs: [domainStreamCodec],
  async handle(trx, event) {
    switch (event.type) {
      case "SslChecked":
      case "SslCheckFailed":
      case "WhoisChecked":
      case "WhoisCheckFailed": {
        const { checkId, domainId, trigger, result } = event.data;
        const table = event.type.startsWith("Ssl") ? SSL_CHECKS_TABLE : WHOIS_CHECKS_TABLE;
        await trx(table)
          .insert({
            id: checkId,
            domain_id: domainId,
            outcome: result.outcome,
            trigger,
            checked_at: result.checked_at,
            result: JSON.stringify(result),
          })
          .onConflict("id")
          .ignore();
        return;
      }
      case "DomainAdded":
      case "DomainUpdated":
      case "DomainRemoved":
      case "AlertRaised":
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
});
