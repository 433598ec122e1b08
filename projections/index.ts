// Every projection the service runs. Order does not matter: each has its own checkpoint.
import { accountsProjection } from "./accounts.js";
import { domainsProjection } from "./domains.js";

export const allProjections = [accountsProjection, domainsProjection] as const;
