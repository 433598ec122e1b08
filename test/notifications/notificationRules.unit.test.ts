// The pure rules of notifications: which channels a raised alert goes to (type, minimum
// severity, tags, mute), what a message says (time zones, templates) and the incident key
// that ties a raise to its resolve at PagerDuty and Opsgenie.
import { expect } from "chai";
import { routeRaised } from "../../projections/notificationChannels.js";
import type { ChannelRoute } from "../../projections/notificationDeliveries.js";
import { buildMessage, expiryInstant, htmlOf, localTime, renderTemplate, type Message } from "../../src/notifications/message.js";
import type { NotificationFacts } from "../../src/notifications/facts.js";
import { discordRequest, incidentKey, pagerDutyRequest, slackRequest, teamsRequest, telegramRequest } from "../../src/notifications/providers.js";

const USER = "0c1d2e3f-4a5b-4c6d-8e7f-8899aabbccdd";
const alert = {
  alertId: "11111111-2222-4333-8444-555555555555",
  domainId: "6f1d2c3b-4a59-4e68-8f70-112233445566",
  userId: USER,
  hostname: "shop.example.com",
  alertType: "ssl_expiry" as const,
  severity: "warning" as const,
  title: "SSL certificate expires in 14 days",
  message: "The SSL certificate for shop.example.com expires on 2026-03-28. 14 days remaining.",
  thresholdDays: 14,
  triggeredAt: "2026-03-14T09:00:00.000Z",
  checkId: "99999999-2222-4333-8444-555555555555",
  dedupeKey: "ssl_expiry:CN=shop.example.com:2026-03-28T23:30:00.000Z:14",
  passedOverKeys: [],
};
const channel = (over: Partial<ChannelRoute> = {}): ChannelRoute => ({ id: "c", user_id: USER, type: "slack", alert_types: [], min_severity: "info", tags: [], ...over });
const domain = { id: alert.domainId, tags: ["production", "eu"], muted_until: null };

describe("Notification rules (unit)", () => {
  describe("routing a raised alert", () => {
    it("selects by alert type (empty: all), minimum severity and tags (empty: all), for the alert's user only", () => {
      const yes = (c: ChannelRoute) => routeRaised(alert, [c], domain).length === 1;
      expect(yes(channel())).to.equal(true);
      expect(yes(channel({ alert_types: ["ssl_expiry", "ssl_invalid"] }))).to.equal(true);
      expect(yes(channel({ alert_types: ["domain_expiry"] }))).to.equal(false);
      expect(yes(channel({ min_severity: "warning" }))).to.equal(true);
      expect(yes(channel({ min_severity: "critical" }))).to.equal(false);
      expect(yes(channel({ tags: ["staging", "eu"] }))).to.equal(true);
      expect(yes(channel({ tags: ["staging"] }))).to.equal(false);
      expect(yes(channel({ user_id: "another" }))).to.equal(false);
      expect(routeRaised(alert, [channel({ tags: ["production"] })], undefined), "a domain not known yet has no tags").to.deep.equal([]);
    });

    it("sends nothing while the domain is muted at the alert's time, and again from the instant the mute ends", () => {
      const muted = (until: string) => routeRaised(alert, [channel()], { ...domain, muted_until: new Date(until) }).length;
      expect(muted("2026-03-14T09:00:00.001Z")).to.equal(0);
      expect(muted("2026-03-14T09:00:00.000Z")).to.equal(1);
      expect(muted("2026-03-01T00:00:00.000Z")).to.equal(1);
    });
  });

  describe("messages", () => {
    const facts: NotificationFacts = { ...alert, event: "raised", at: alert.triggeredAt, reason: null };

    it("states the expiry instant in the user's time zone, across a date line and a DST change", () => {
      expect(expiryInstant(facts)).to.equal("2026-03-28T23:30:00.000Z");
      expect(localTime("2026-03-28T23:30:00.000Z", "UTC")).to.equal("2026-03-28 23:30 UTC");
      // Berlin is still on CET (+1) on the 28th: already the 29th there.
      expect(localTime("2026-03-28T23:30:00.000Z", "Europe/Berlin")).to.equal("2026-03-29 00:30 CET");
      // ... and on CEST (+2) after 01:00 UTC on the 29th.
      expect(localTime("2026-03-29T10:00:00.000Z", "Europe/Berlin")).to.equal("2026-03-29 12:00 CEST");
      expect(localTime("2026-03-28T23:30:00.000Z", "America/New_York")).to.match(/^2026-03-28 19:30 /);
      expect(expiryInstant({ ...facts, alertType: "check_failed", dedupeKey: "check_failed:ssl:abc" })).to.equal(null);
    });

    it("says hostname, what expires, when, days left, issuer and link by default; templates override title and body", () => {
      const ctx = { facts, timeZone: "Asia/Tokyo", baseUrl: "https://ssl.example.org", issuer: "CN=R11", registrar: null, grade: "A" };
      const m = buildMessage(ctx, null);
      expect(m.title).to.equal("SSL certificate expires in 14 days: shop.example.com");
      expect(m.text).to.contain("The certificate of shop.example.com expires 2026-03-29 08:30 GMT+9 (14 days left).");
      expect(m.text).to.contain("Issuer: CN=R11").and.contain(`https://ssl.example.org/domains/${alert.domainId}`);
      expect(m.text, "the grade only where it is the news").not.to.contain("Grade");
      const custom = buildMessage(ctx, { title: "[{{severity}}] {{hostname}}", body: "{{what_expires}} {{ days_left }}d {{nope}}" });
      expect(custom.title).to.equal("[warning] shop.example.com");
      expect(custom.text).to.equal("certificate 14d {{nope}}");
      expect(renderTemplate("{{link}}", { link: "" })).to.equal("");
    });

    /** What each channel shows: its text as the reader sees it, and its label/value facts (Teams' FactSet, Discord's fields). */
    const shown = (m: Message, f: NotificationFacts) => {
      const teams = JSON.parse(teamsRequest("https://teams.test/w", m).body) as { attachments: [{ content: { body: { type: string; text?: string; facts?: { title: string; value: string }[] }[] } }] };
      const discord = JSON.parse(discordRequest("https://discord.test/w", m, f).body) as { embeds: [{ description: string; fields: { name: string; value: string }[] }] };
      const slack = JSON.parse(slackRequest("https://slack.test/w", m).body) as { blocks: { text?: { text: string } }[] };
      const telegram = JSON.parse(telegramRequest({ api_base_url: "https://tg.test", chat_id: "1" }, "1:x", m).body) as { text: string };
      const card = teams.attachments[0].content.body;
      return {
        texts: {
          "e-mail text": m.text,
          "e-mail HTML": htmlOf(m),
          slack: slack.blocks.map((b) => b.text?.text ?? "").join("\n"),
          telegram: telegram.text,
          teams: card.map((b) => b.text ?? "").join("\n"),
          discord: discord.embeds[0].description,
        },
        facts: {
          teams: Object.fromEntries(card.flatMap((b) => b.facts ?? []).map((x) => [x.title, x.value])),
          discord: Object.fromEntries(discord.embeds[0].fields.map((x) => [x.name, x.value])),
        },
      };
    };
    const rendered = (over: Partial<NotificationFacts>) => {
      const f: NotificationFacts = { ...facts, ...over };
      return shown(buildMessage({ facts: f, timeZone: "UTC", baseUrl: null, issuer: "CN=R11", registrar: "Example Registrar, Inc.", grade: "B" }, null), f);
    };

    it("names the grade in grade, chain and certificate-change alerts in every channel's format, and not in expiry alerts", () => {
      const graded = {
        grade_dropped: { dedupeKey: "grade_dropped:aa:bb:A:B", title: "SSL grade dropped from A to B" },
        ssl_invalid: { dedupeKey: "ssl_invalid:aa:bb:check", title: "SSL certificate is not valid" },
        certificate_changed: { dedupeKey: "certificate_changed:aa:bb", title: "SSL certificate changed" },
      } as const;
      for (const [alertType, over] of Object.entries(graded)) {
        const { texts, facts: pairs } = rendered({ alertType: alertType as keyof typeof graded, thresholdDays: null, ...over });
        for (const [format, text] of Object.entries(texts)) expect(text, `${alertType}, ${format}`).to.contain("Grade: B");
        for (const [format, fields] of Object.entries(pairs)) expect(fields, `${alertType}, ${format}`).to.include({ Grade: "B" });
      }
      for (const alertType of ["ssl_expiry", "domain_expiry"] as const) {
        const { texts, facts: pairs } = rendered({ alertType, dedupeKey: `${alertType}:x:2026-03-28T23:30:00.000Z:14` });
        for (const [format, text] of Object.entries(texts)) expect(text, `${alertType}, ${format}`).not.to.contain("Grade");
        for (const [format, fields] of Object.entries(pairs)) expect(fields, `${alertType}, ${format}`).not.to.have.property("Grade");
      }
    });

    it("names the registrar in a registration alert and the issuer in a certificate alert, each not the other, in every channel's format", () => {
      const registration = rendered({ alertType: "domain_expiry", title: "Domain expires in 14 days", dedupeKey: "domain_expiry:shop.example.com:2026-03-28T23:30:00.000Z:14" });
      const certificate = rendered({});
      for (const [format, text] of Object.entries(registration.texts)) {
        expect(text, format).to.contain("registration of shop.example.com expires").and.contain("Registrar: Example Registrar, Inc.").and.not.contain("Issuer");
      }
      for (const [format, text] of Object.entries(certificate.texts)) expect(text, format).to.contain("Issuer: CN=R11").and.not.contain("Registrar");
      for (const [format, fields] of Object.entries(registration.facts)) {
        expect(fields, format).to.include({ Registrar: "Example Registrar, Inc." }).and.not.have.property("Issuer");
      }
      for (const [format, fields] of Object.entries(certificate.facts)) expect(fields, format).to.include({ Issuer: "CN=R11" }).and.not.have.property("Registrar");
    });
  });

  it("gives a raise and its resolve one PagerDuty dedup key, and other facts other keys", () => {
    const facts: NotificationFacts = { ...alert, event: "raised", at: alert.triggeredAt, reason: null };
    const resolved: NotificationFacts = { ...facts, event: "resolved", at: "2026-03-20T00:00:00.000Z", reason: "renewed" };
    const m = buildMessage({ facts, timeZone: "UTC", baseUrl: null, issuer: null, registrar: null, grade: null }, null);
    const trigger = JSON.parse(pagerDutyRequest({ api_base_url: "https://pd.test" }, "rk", m, facts).body) as { dedup_key: string; event_action: string };
    const resolve = JSON.parse(pagerDutyRequest({ api_base_url: "https://pd.test" }, "rk", m, resolved).body) as Record<string, unknown>;
    expect(trigger.event_action).to.equal("trigger");
    expect(resolve).to.deep.equal({ routing_key: "rk", event_action: "resolve", dedup_key: trigger.dedup_key });
    expect(incidentKey({ ...facts, dedupeKey: `${alert.dedupeKey}x` })).not.to.equal(trigger.dedup_key);
    expect(incidentKey({ ...facts, domainId: "another" })).not.to.equal(trigger.dedup_key);
  });
});
