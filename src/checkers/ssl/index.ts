// Public surface of the SSL checker.
export { checkSsl, type SslCheckOptions, type SslCheckTarget } from "./checkSsl.js";
export * from "./result.js";
