// analytics.domains: who owns each domain and whether it is active. Check events carry only
// the domain id, so the other analytics tables take the user from here (never from the
// public domains read model, whose checkpoint differs).
import type { Knex } from "knex";
import type { DomainStreamEvent } from "../../src/domains/domainStream.js";
import type { RecordedEvent } from "../../src/infrastructure/eventStore/eventStore.js";
import { ANALYTICS } from "./tables.js";

export async function projectDomain(trx: Knex.Transaction, event: DomainStreamEvent, recorded: RecordedEvent): Promise<void> {
  const revision = recorded.revision.toString();
  const updateIfNewer = (domainId: string, values: Record<string, unknown>) =>
    trx(ANALYTICS.domains)
      .where({ domain_id: domainId })
      .andWhere("stream_revision", "<", revision)
      .update({ ...values, stream_revision: revision });
  switch (event.type) {
    case "DomainAdded": {
      const d = event.data;
      await trx(ANALYTICS.domains)
        .insert({
          domain_id: d.domainId,
          user_id: d.userId,
          hostname: d.hostname,
          port: d.port,
          is_active: true,
          added_at: d.addedAt,
          stream_revision: revision,
        })
        .onConflict("domain_id")
        .ignore();
      return;
    }
    case "DomainUpdated": {
      const { hostname, port, isActive } = event.data.changes;
      const values: Record<string, unknown> = {};
      if (hostname !== undefined) values["hostname"] = hostname;
      if (port !== undefined) values["port"] = port;
      if (isActive !== undefined) values["is_active"] = isActive;
      await updateIfNewer(event.data.domainId, values);
      return;
    }
    case "DomainRemoved":
      await updateIfNewer(event.data.domainId, { removed_at: event.data.removedAt });
      return;
    case "SslChecked":
    case "SslCheckFailed":
    case "WhoisChecked":
    case "WhoisCheckFailed":
    case "AlertRaised":
      return;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The domain's owner. Its stream starts with DomainAdded, so a miss is a bug worth stopping for. */
export async function ownerOf(trx: Knex.Transaction, domainId: string): Promise<string> {
  const row = await trx(ANALYTICS.domains).where({ domain_id: domainId }).first<{ user_id: string } | undefined>("user_id");
  if (!row) throw new Error(`analytics: check event for unknown domain ${domainId}`);
  return row.user_id;
}
