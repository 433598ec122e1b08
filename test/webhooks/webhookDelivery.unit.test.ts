import { expect } from "chai";
import { alertPayload, deliveryIdFor } from "../../src/webhooks/payload.js";
import { DEFAULT_RETRY_DELAYS_MS, retryDelayMs } from "../../src/webhooks/retrySchedule.js";
import { parseWebhookUrl } from "../../src/webhooks/webhookUrl.js";

const webhookId = "3d0c5e1a-8b7f-4c2d-9e6a-1f2b3c4d5e01";
const alertId = "880e8400-e29b-41d4-a716-446655440003";

describe("webhook delivery rules (unit)", () => {
  describe("delivery id", () => {
    it("is a v5 UUID determined by webhook and alert, so a replay queues nothing twice", () => {
      const id = deliveryIdFor(webhookId, alertId);
      expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(deliveryIdFor(webhookId, alertId)).to.equal(id);
      expect(deliveryIdFor(alertId, webhookId)).not.to.equal(id);
    });
  });

  describe("payload", () => {
    it("carries the delivery id, the alert as GET /alerts shows it, and its domain", () => {
      const payload = alertPayload("d-1", {
        alertId,
        domainId: "550e8400-e29b-41d4-a716-446655440000",
        hostname: "example.com",
        alertType: "ssl_expiry",
        severity: "warning",
        title: "SSL certificate expires in 30 days",
        message: "…",
        thresholdDays: 30,
        triggeredAt: "2026-02-23T12:00:00.000Z",
      });
      expect(payload).to.deep.equal({
        id: "d-1",
        type: "alert.raised",
        test: false,
        data: {
          alert: {
            id: alertId,
            domain_id: "550e8400-e29b-41d4-a716-446655440000",
            hostname: "example.com",
            alert_type: "ssl_expiry",
            severity: "warning",
            title: "SSL certificate expires in 30 days",
            message: "…",
            threshold_days: 30,
            triggered_at: "2026-02-23T12:00:00.000Z",
          },
          domain: { id: "550e8400-e29b-41d4-a716-446655440000", hostname: "example.com" },
        },
      });
    });
  });

  describe("retry schedule", () => {
    it("by default tries 7 times over about 20.6 hours", () => {
      expect(DEFAULT_RETRY_DELAYS_MS).to.have.length(6);
      expect(DEFAULT_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) / 3_600_000).to.be.closeTo(20.6, 0.01);
    });

    it("backs off with ±20% jitter, and stops after the last delay", () => {
      const delays = [1000, 5000];
      expect(retryDelayMs(1, delays, () => 0)).to.equal(800);
      expect(retryDelayMs(1, delays, () => 1)).to.equal(1200);
      expect(retryDelayMs(2, delays, () => 0.5)).to.equal(5000);
      expect(retryDelayMs(3, delays, () => 0.5)).to.equal(null);
    });
  });

  describe("URL rules", () => {
    const reason = (raw: string) => {
      const r = parseWebhookUrl(raw);
      return r.ok ? null : r.reason;
    };

    it("accepts absolute http and https URLs", () => {
      expect(reason("https://hooks.example.com/a?b=c")).to.equal(null);
      expect(reason("http://hooks.example.com:8080/")).to.equal(null);
    });

    it("refuses other schemes, credentials, relative and overlong URLs with a reason", () => {
      expect(reason("ftp://hooks.example.com/")).to.equal("must use http or https");
      expect(reason("file:///etc/passwd")).to.equal("must use http or https");
      expect(reason("https://user:pw@hooks.example.com/")).to.match(/credentials/);
      expect(reason("https://token@hooks.example.com/")).to.match(/credentials/);
      expect(reason("/hooks")).to.match(/absolute URL/);
      expect(reason(`https://example.com/${"a".repeat(2048)}`)).to.match(/at most 2048/);
    });
  });
});
