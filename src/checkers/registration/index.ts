// Public surface of the registration (RDAP/WHOIS) checker.
export { checkRegistration, type RegistrationCheckOptions } from "./checkRegistration.js";
export { RegistryState } from "./registryState.js";
export { parseWhois } from "./whois/parse.js";
export { parseRdap } from "./rdap/parse.js";
export type { RegistrationRecord } from "./record.js";
export {
  registrationCheckResult,
  type RegistrationCheckResult,
  type RegistrationCheckOk,
  type RegistrationCheckFailed,
  type FailureReason,
} from "./result.js";
