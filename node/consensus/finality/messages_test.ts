/**
 * GRANDPA's network messages and the voter's record: what is encoded comes
 * back as it was, the layouts are Substrate's, and garbage is refused with a
 * DecodeError, never anything else.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import fc from "fast-check";
import { DecodeError } from "../../../runtime/codec/types.ts";
import { toHexRaw } from "../../../runtime/primitives/hex.ts";
import { decodeRecord, encodeRecord } from "./_record.ts";
import {
  decodeCatchUp,
  decodeCatchUpRequest,
  decodeGossip,
  encodeCatchUp,
  encodeCatchUpRequest,
  encodeCommit,
  encodeNeighbour,
  encodePrimary,
  encodeVote,
} from "./messages.ts";
import type { Vote } from "./round.ts";
import type { VoterRecord } from "./voter.ts";

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHexRaw);
const plain = { noNullPrototype: true } as const;
const block = fc.record({ hash, number: fc.nat(0xffffffff) }, plain);
const vote = fc.record({
  stage: fc.constantFrom("prevote" as const, "precommit" as const),
  target: block,
  voter: hash,
  signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
}, plain);
const round = fc.nat(Number.MAX_SAFE_INTEGER);

Deno.test("votes, proposals, commits and neighbour packets decode to what was encoded", () => {
  fc.assert(fc.property(round, round, vote, (setId, r, v) => {
    assertEquals(decodeGossip(encodeVote(setId, r, v)), { kind: "vote", setId, round: r, vote: v });
    const proposal = { target: v.target, voter: v.voter, signature: v.signature };
    assertEquals(decodeGossip(encodePrimary(setId, r, proposal)), {
      kind: "primary",
      setId,
      round: r,
      proposal,
    });
    const packet = { setId, round: r, finalized: v.target.number };
    assertEquals(decodeGossip(encodeNeighbour(packet)), { kind: "neighbour", packet });
  }));
  fc.assert(
    fc.property(
      round,
      round,
      block,
      fc.array(vote, { maxLength: 8 }),
      (setId, r, target, votes) => {
        const precommits = votes.map((v): Vote => ({ ...v, stage: "precommit" }));
        const commit = { round: r, target, precommits };
        assertEquals(decodeGossip(encodeCommit(setId, commit)), { kind: "commit", setId, commit });
      },
    ),
  );
});

Deno.test("catch-ups and their requests decode to what was encoded", () => {
  fc.assert(
    fc.property(round, round, block, fc.array(vote, { maxLength: 8 }), (setId, r, base, votes) => {
      assertEquals(decodeCatchUpRequest(encodeCatchUpRequest(setId, r)), { setId, round: r });
      const catchUp = {
        setId,
        round: r,
        base,
        prevotes: votes.map((v): Vote => ({ ...v, stage: "prevote" })),
        precommits: votes.map((v): Vote => ({ ...v, stage: "precommit" })),
      };
      assertEquals(decodeCatchUp(encodeCatchUp(catchUp)), catchUp);
    }),
  );
});

Deno.test("a vote is laid out as Substrate's GossipMessage::Vote", () => {
  const v: Vote = {
    stage: "precommit",
    target: { hash: "11".repeat(32), number: 7 },
    voter: "22".repeat(32),
    signature: new Uint8Array(64).fill(0x33),
  };
  const bytes = encodeVote(2, 5, v);
  // Vote (0), round u64, set id u64, Message::Precommit (1), hash, number u32, signature, id.
  assertEquals(bytes.length, 1 + 8 + 8 + 1 + 32 + 4 + 64 + 32);
  assertEquals([...bytes.subarray(0, 18)], [0, 5, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1]);
  assertEquals([...bytes.subarray(50, 54)], [7, 0, 0, 0]);
});

Deno.test("garbage is refused with a DecodeError, rounds beyond 2^53 too", () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    for (const decode of [decodeGossip, decodeCatchUp, decodeCatchUpRequest, decodeRecord]) {
      try {
        decode(bytes);
      } catch (e) {
        ok(e instanceof DecodeError, `${decode.name}: ${e}`);
      }
    }
  }));
  const huge = new Uint8Array(encodeNeighbour({ setId: 0, round: 1, finalized: 0 }));
  huge.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 2);
  try {
    decodeGossip(huge);
    ok(false, "a round of 2^64 - 1 decoded");
  } catch (e) {
    ok(e instanceof DecodeError);
  }
});

Deno.test("the voter's record is stored and read back as it was", () => {
  const state = fc.record({
    prevoteGhost: fc.option(block, { nil: undefined }),
    finalized: fc.option(block, { nil: undefined }),
    estimate: fc.option(block, { nil: undefined }),
    completable: fc.boolean(),
  }, plain).map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)));
  fc.assert(fc.property(
    fc.record({
      setId: round,
      round,
      base: block,
      mine: fc.array(vote, { maxLength: 2 }),
      completed: fc.record(
        { round, base: block, state, votes: fc.array(vote, { maxLength: 6 }) },
        plain,
      ),
      prevotes: fc.array(vote, { maxLength: 6 }),
    }, plain),
    (record) => {
      const r = record as unknown as VoterRecord;
      assertEquals(decodeRecord(encodeRecord(r)), r);
      // A record written before the round's prevotes were kept ends where they begin.
      const before = encodeRecord({ ...r, prevotes: [] }).slice(0, -1);
      assertEquals(decodeRecord(before), { ...r, prevotes: [] });
    },
  ));
});
