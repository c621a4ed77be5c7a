// The contract-logs page arithmetic against PgStoreV2.getSmartContractEvents
// (stacks-blockchain-api v9): rows newest first, the page starts `offset` rows
// at or below the cursor, next_cursor is the top of the page `limit` rows newer
// (null unless that many newer rows exist), prev_cursor the top of the page
// `limit` rows older, total 0 on an empty page.
import { describe, expect, it } from "vitest";
import { ANCHORED_MICROBLOCK_SEQUENCE, pageContractLogs, parseEventCursor, type EventKey } from "../src/api-view.js";

const S = ANCHORED_MICROBLOCK_SEQUENCE;
// Ten events, newest first: blocks 9..5, two transactions each with one event.
const rows: { key: EventKey }[] = [];
for (let height = 9; height >= 5; height -= 1)
  for (let txIndex = 1; txIndex >= 0; txIndex -= 1)
    rows.push({ key: { blockHeight: height, microblockSequence: S, txIndex, eventIndex: 0 } });
const cursorOf = (index: number) => `${rows[index]!.key.blockHeight}:${S}:${rows[index]!.key.txIndex}:0`;

describe("contract logs paging", () => {
  it("starts at the newest row; prev is the older page, next is null at the top", () => {
    const page = pageContractLogs(rows, 4, 0, undefined);
    expect(page.rows).toEqual(rows.slice(0, 4));
    expect(page).toMatchObject({
      total: 10,
      currentCursor: cursorOf(0),
      prevCursor: cursorOf(4),
      nextCursor: null,
    });
  });

  it("follows prev_cursor to older pages and next_cursor back", () => {
    const second = pageContractLogs(rows, 4, 0, parseEventCursor(cursorOf(4)));
    expect(second.rows).toEqual(rows.slice(4, 8));
    expect(second).toMatchObject({ currentCursor: cursorOf(4), prevCursor: cursorOf(8), nextCursor: cursorOf(0) });
    const last = pageContractLogs(rows, 4, 0, parseEventCursor(cursorOf(8)));
    expect(last.rows).toEqual(rows.slice(8));
    // Only 8 newer rows exist above row 8, so the page 4 newer is found; no older page.
    expect(last).toMatchObject({ currentCursor: cursorOf(8), prevCursor: null, nextCursor: cursorOf(4) });
  });

  it("gives no next_cursor when fewer than `limit` newer rows exist", () => {
    const page = pageContractLogs(rows, 4, 0, parseEventCursor(cursorOf(2)));
    expect(page.rows).toEqual(rows.slice(2, 6));
    expect(page.nextCursor).toBeNull();
    expect(page.prevCursor).toBe(cursorOf(6));
  });

  it("counts the offset from the cursor, and a cursor need not be an exact row", () => {
    const page = pageContractLogs(rows, 2, 3, undefined);
    expect(page.rows).toEqual(rows.slice(3, 5));
    // 7:S:5:0 is no row; the page starts at the first row below it, 7:S:1:0.
    const between = pageContractLogs(rows, 2, 0, { blockHeight: 7, microblockSequence: S, txIndex: 5, eventIndex: 0 });
    expect(between.currentCursor).toBe(cursorOf(4));
  });

  it("is empty with total 0 past the end or below the oldest row", () => {
    expect(pageContractLogs(rows, 4, 10, undefined)).toMatchObject({ rows: [], total: 0, currentCursor: null });
    expect(pageContractLogs(rows, 4, 0, parseEventCursor("4:0:0:0"))).toMatchObject({ rows: [], currentCursor: null });
  });
});
