// Every projection the service runs. Order does not matter: each has its own checkpoint.
import { accountsProjection } from "./accounts.js";
import { alertSettingsProjection } from "./alertSettings.js";
import { alertsProjection } from "./alerts.js";
import { analyticsProjection } from "./analytics/analyticsProjection.js";
import { checkHistoryProjection } from "./checkHistory.js";
import { digestSettingsProjection } from "./digestSettings.js";
import { domainsProjection } from "./domains.js";
import { notificationChannelsProjection } from "./notificationChannels.js";
import { webhooksProjection } from "./webhooks.js";

export const allProjections = [
  accountsProjection,
  domainsProjection,
  checkHistoryProjection,
  alertsProjection,
  alertSettingsProjection,
  webhooksProjection,
  analyticsProjection,
  notificationChannelsProjection,
  digestSettingsProjection,
] as const;
