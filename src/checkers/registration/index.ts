// Public surface of the registration checker.
export { parseWhois } from "./whois/parse.js";
