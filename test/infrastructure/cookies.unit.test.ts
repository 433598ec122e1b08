// Reading the session cookie out of a Cookie header (RFC 6265 §5.4).
import { expect } from "chai";
import type { Request } from "express";
import { cookieValue } from "../../src/infrastructure/http/cookies.js";

const withCookie = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as Request;

describe("cookieValue (unit)", () => {
  it("finds a cookie among others, with or without spaces, and unquotes a quoted value", () => {
    expect(cookieValue(withCookie("a=1; ssltrackr_session=abc; b=2"), "ssltrackr_session")).to.equal("abc");
    expect(cookieValue(withCookie("ssltrackr_session=abc;b=2"), "ssltrackr_session")).to.equal("abc");
    expect(cookieValue(withCookie('ssltrackr_session="abc"'), "ssltrackr_session")).to.equal("abc");
  });

  it("takes the first of two cookies of the name (the most specific path, RFC 6265 §5.4 step 2)", () => {
    expect(cookieValue(withCookie("ssltrackr_session=first; ssltrackr_session=second"), "ssltrackr_session")).to.equal("first");
  });

  it("does not match a cookie whose name only contains or extends the name, nor a missing header", () => {
    expect(cookieValue(withCookie("x_ssltrackr_session=abc; ssltrackr_session_old=def"), "ssltrackr_session")).to.equal(undefined);
    expect(cookieValue(withCookie("ssltrackr_session"), "ssltrackr_session")).to.equal(undefined);
    expect(cookieValue(withCookie(), "ssltrackr_session")).to.equal(undefined);
    expect(cookieValue(withCookie("ssltrackr_session="), "ssltrackr_session")).to.equal("");
  });
});
