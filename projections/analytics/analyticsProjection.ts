// The analytics read models (schema "analytics", docs/analytics.md): one projection, so its
// tables share one checkpoint and may read each other (the owner of a domain, the previous
// certificate) consistently. Each concept lives in its own module; this only routes events.
// On the batch contract it still applies a batch's events one after another (its tables read
// each other's state as of each event); a set-based fold of it is future work (issue 12).
import type { Knex } from "knex";
import type { RecordedEvent } from "../../src/infrastructure/eventStore/eventStore.js";
import { domainStreamCodec, type DomainStreamEvent } from "../../src/domains/domainStream.js";
import { defineProjection } from "../../src/infrastructure/projections/projection.js";
import { projectAlert } from "./alerts.js";
import { recordCertificateCheck } from "./certificateChecks.js";
import { recordRenewal } from "./certificateRenewals.js";
import { recordFinishedDays } from "./dailyDomainStatus.js";
import { ownerOf, projectDomain } from "./domains.js";
import { projectDomainStatus } from "./domainStatusCurrent.js";
import { recordRegistration } from "./registrations.js";
import { ANALYTICS, ANALYTICS_SCHEMA } from "./tables.js";

export const analyticsProjection = defineProjection({
  name: "analytics",
  // For analysts: API writes never wait for it.
  consistency: "eventual",
  schema: ANALYTICS_SCHEMA,
  tables: Object.values(ANALYTICS),
  codec: domainStreamCodec,
  eventTypes: [...domainStreamCodec.types] as DomainStreamEvent["type"][],
  async applyBatch(trx, events) {
    for (const { event, recorded } of events) await project(trx, event, recorded);
  },
});

async function project(trx: Knex.Transaction, event: DomainStreamEvent, recorded: RecordedEvent): Promise<void> {
  // First: the days this event shows to be over are recorded as they ended, without it.
  await recordFinishedDays(trx, event);
  await projectDomain(trx, event, recorded);
  await projectDomainStatus(trx, event, recorded);
  await projectAlert(trx, event);
  if (event.type === "SslChecked") {
    const userId = await ownerOf(trx, event.data.domainId);
    await recordRenewal(trx, userId, event.data);
    await recordCertificateCheck(trx, userId, event.data);
  }
  if (event.type === "WhoisChecked") {
    await recordRegistration(trx, await ownerOf(trx, event.data.domainId), event.data, recorded);
  }
}
