// Raises an alert without running a check: appends an AlertRaised event to a domain's stream,
// as the monitoring decider would, and waits until every projection has seen it.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { RunningServer } from "../../src/app/server.js";
import { domainStreamName } from "../../src/domains/events.js";
import { eventCodec } from "../../src/infrastructure/eventStore/eventCodec.js";
import { AlertRaised, type AlertType } from "../../src/monitoring/checkEvents.js";

export type AlertRaisedData = z.infer<typeof AlertRaised.schema>;

const codec = eventCodec([AlertRaised] as const);

export async function raiseAlert(
  server: RunningServer,
  fields: { userId: string; alertType?: AlertType } & Partial<AlertRaisedData>,
): Promise<AlertRaisedData> {
  const domainId = fields.domainId ?? randomUUID();
  const data: AlertRaisedData = {
    alertId: randomUUID(),
    domainId,
    hostname: "shop.example.com",
    alertType: "ssl_expiry",
    severity: "warning",
    title: "SSL certificate expires in 14 days",
    message: "The SSL certificate for shop.example.com expires on 2026-03-09. 14 days remaining.",
    thresholdDays: 14,
    triggeredAt: new Date().toISOString(),
    checkId: randomUUID(),
    dedupeKey: `ssl_expiry:test:${randomUUID()}`,
    passedOverKeys: [],
    ...fields,
  };
  const event = codec.encode({ type: "AlertRaised", data }, randomUUID(), { correlationId: randomUUID() });
  const appended = await server.infra.eventStore.appendToStream(domainStreamName(domainId), [event], { expectedRevision: "any" });
  await server.services.projections.waitFor(appended.position);
  return data;
}
