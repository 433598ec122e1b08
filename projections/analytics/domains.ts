// analytics.domains: who owns each domain and whether it is active. Check events carry only
// the domain id, so the other analytics tables take the user from here (never from the
// public domains read model, whose checkpoint differs).
import type { DomainStreamEvent } from "../../src/domains/domainStream.js";
import type { RowChanges } from "../../src/infrastructure/projections/rowWrites.js";

/**
 * Folds a lifecycle event at stream revision `revision` into `rows` (keyed by domain_id);
 * other events leave them. Rows carry the revision of the last lifecycle event applied.
 */
export function foldLifecycle(rows: RowChanges, event: DomainStreamEvent, revision: string): void {
  switch (event.type) {
    case "DomainAdded": {
      const d = event.data;
      rows.insert({
        domain_id: d.domainId,
        user_id: d.userId,
        hostname: d.hostname,
        port: d.port,
        is_active: true,
        added_at: d.addedAt,
        removed_at: null,
        stream_revision: revision,
      });
      return;
    }
    case "DomainUpdated": {
      const { hostname, port, isActive } = event.data.changes;
      rows.patch(event.data.domainId, {
        ...(hostname !== undefined ? { hostname } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(isActive !== undefined ? { is_active: isActive } : {}),
        stream_revision: revision,
      });
      return;
    }
    case "DomainRemoved":
      rows.patch(event.data.domainId, { removed_at: event.data.removedAt, stream_revision: revision });
      return;
    case "SslChecked":
    case "SslCheckFailed":
    case "WhoisChecked":
    case "WhoisCheckFailed":
    case "AlertRaised":
    case "RenewalInfoFetched":
    case "AlertResolved":
    case "AlertAcknowledged":
      return;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
