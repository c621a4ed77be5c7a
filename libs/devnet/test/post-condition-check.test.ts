// The post-condition rules on their own, including the asset kinds and modes the
// project's contracts do not exercise over HTTP.
import { Cl, cvToHex, Pc } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import { checkPostConditions } from "../src/post-condition-check.js";
import type { SimnetEvent } from "../src/simnet-session.js";

const ORIGIN = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const CONTRACT = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.grid-services";
const TOKEN = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.token::kwh";
const NFT = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.badge::badge";

const stx = (sender: string, amount: number): SimnetEvent => ({
  event: "stx_transfer_event",
  data: { sender, recipient: CONTRACT, amount: String(amount) },
});
const ft = (sender: string, amount: number): SimnetEvent => ({
  event: "ft_transfer_event",
  data: { sender, recipient: CONTRACT, amount: String(amount), asset_identifier: TOKEN },
});
const nft = (sender: string, id: number): SimnetEvent => ({
  event: "nft_transfer_event",
  data: { sender, recipient: CONTRACT, asset_identifier: NFT, raw_value: cvToHex(Cl.uint(id)) },
});

describe("checkPostConditions", () => {
  it("compares what the principal sent with each condition code", () => {
    const events = [stx(ORIGIN, 100), stx(ORIGIN, 50)];
    expect(checkPostConditions([Pc.origin().willSendEq(150).ustx()], "deny", ORIGIN, events).ok).toBe(true);
    expect(checkPostConditions([Pc.origin().willSendGte(151).ustx()], "deny", ORIGIN, events).ok).toBe(false);
    expect(checkPostConditions([Pc.principal(ORIGIN).willSendLt(151).ustx()], "deny", ORIGIN, events).ok).toBe(true);
    expect(checkPostConditions([Pc.principal(ORIGIN).willSendGt(150).ustx()], "allow", ORIGIN, events).ok).toBe(false);
    expect(checkPostConditions([Pc.principal(ORIGIN).willSendLte(0).ustx()], "allow", ORIGIN, []).ok).toBe(true);
  });

  it("aborts an uncovered movement in Deny mode, only the origin's in Originator mode, none in Allow mode", () => {
    const events = [stx(ORIGIN, 10), stx(CONTRACT, 5)];
    const coversOrigin = [Pc.origin().willSendEq(10).ustx()];
    expect(checkPostConditions(coversOrigin, "deny", ORIGIN, events)).toMatchObject({
      ok: false,
      reason: expect.stringContaining(CONTRACT),
    });
    expect(checkPostConditions(coversOrigin, "originator", ORIGIN, events).ok).toBe(true);
    expect(checkPostConditions([], "originator", ORIGIN, events).ok).toBe(false);
    expect(checkPostConditions([], "allow", ORIGIN, events).ok).toBe(true);
  });

  it("tracks fungible tokens per asset and non-fungible tokens per asset id", () => {
    const events = [ft(ORIGIN, 7), nft(ORIGIN, 3)];
    const both = [
      Pc.origin().willSendEq(7).ft("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.token", "kwh"),
      Pc.origin().willSendAsset().nft(NFT, Cl.uint(3)),
    ];
    expect(checkPostConditions(both, "deny", ORIGIN, events).ok).toBe(true);
    expect(checkPostConditions(both.slice(0, 1), "deny", ORIGIN, events).ok).toBe(false);
    expect(checkPostConditions([Pc.origin().willNotSendAsset().nft(NFT, Cl.uint(3))], "allow", ORIGIN, events).ok).toBe(
      false,
    );
    expect(checkPostConditions([Pc.origin().willSendAsset().nft(NFT, Cl.uint(4))], "allow", ORIGIN, events).ok).toBe(
      false,
    );
  });
});
