// Rules of one notification channel, given/when/then: created once, owned by one user, an
// update records only what changed, gone once deleted.
import { expect } from "chai";
import { channelDecider, type ChannelCommand } from "../../src/notifications/channelDecider.js";
import type { ChannelEvent } from "../../src/notifications/events.js";
import { ConflictError, NotFoundError } from "../../src/shared/errors.js";
import { deciderSpec } from "../support/deciderSpec.js";

const { given } = deciderSpec(channelDecider);
const owner = "0c1d2e3f-4a5b-4c6d-8e7f-8899aabbccdd";
const channelId = "6f1d2c3b-4a59-4e68-8f70-112233445566";
const now = new Date("2026-04-01T08:00:00.000Z");
const routing = { alertTypes: [], minSeverity: "info" as const, tags: [] };
const config = { api_base_url: "https://events.pagerduty.com" };
const create: ChannelCommand = {
  type: "CreateChannel",
  channelId,
  userId: owner,
  channelType: "pagerduty",
  name: "on-call",
  config,
  sealedSecrets: { routing_key: "v1.k1.a.b.c" },
  routing,
  template: null,
  now,
};
const [created] = given([]).when(create) as [ChannelEvent];

describe("Notification channel decider (unit)", () => {
  it("creates a channel once, with its sealed secrets as given", () => {
    expect(created).to.deep.equal({
      type: "NotificationChannelCreated",
      data: { channelId, userId: owner, channelType: "pagerduty", name: "on-call", config, sealedSecrets: { routing_key: "v1.k1.a.b.c" }, routing, template: null, createdAt: now.toISOString() },
    });
    expect(() => given([created]).when(create)).to.throw(ConflictError);
  });

  it("records only the fields that change, and nothing when nothing does", () => {
    const update = (changes: Record<string, unknown>): ChannelCommand => ({ type: "UpdateChannel", userId: owner, changes, now });
    const [changed] = given([created]).when(update({ name: "on-call", routing: { ...routing, minSeverity: "critical" }, isActive: true }));
    expect(changed).to.deep.equal({
      type: "NotificationChannelUpdated",
      data: { channelId, userId: owner, changes: { routing: { ...routing, minSeverity: "critical" } }, updatedAt: now.toISOString() },
    });
    expect(given([created]).when(update({ name: "on-call" }))).to.deep.equal([]);
    expect(given([created, changed!]).state).to.deep.include({ routing: { ...routing, minSeverity: "critical" }, name: "on-call" });
  });

  it("treats another user's, a missing and a deleted channel as not found", () => {
    const del: ChannelCommand = { type: "DeleteChannel", userId: owner, now };
    const [deleted] = given([created]).when(del);
    expect(deleted!.type).to.equal("NotificationChannelDeleted");
    expect(() => given([created]).when({ ...del, userId: "someone-else" })).to.throw(NotFoundError);
    expect(() => given([]).when(del)).to.throw(NotFoundError);
    expect(() => given([created, deleted!]).when(del)).to.throw(NotFoundError);
  });
});
