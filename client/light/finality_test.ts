/**
 * The light client's finality, from genesis through two authority set
 * changes by following and by warping, and the attacks of a node serving
 * it: forged headers, forged or missing signatures, another set's votes, a
 * proof past a set change. Each is refused, and nothing changes.
 */
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { keypairFromUri, verifyNative } from "../../runtime/crypto/mod.ts";
import {
  type GrandpaJustification,
  localizedPayload,
  scheduledChangeLog,
} from "../../runtime/consensus/grandpa.ts";
import { FinalityProofError, LightFinality, SetChangeAhead } from "./finality.ts";

const keys = ["//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"].map(keypairFromUri);
/** Three sets: 0 votes up to #3, which hands over to 1, which hands over to 2 at #6. */
const sets = [keys.slice(0, 4), keys.slice(1, 5), keys.slice(2, 6)];

function child(parent: Header, digest: Header["digest"] = [], fork = 0): Header {
  return {
    parentHash: blockHash(parent),
    number: parent.number + 1,
    stateRoot: new Uint8Array(32).fill(fork),
    extrinsicsRoot: new Uint8Array(32),
    digest,
  };
}

const genesis: Header = {
  parentHash: new Uint8Array(32),
  number: 0,
  stateRoot: new Uint8Array(32),
  extrinsicsRoot: new Uint8Array(32),
  digest: [],
};
const handOver = (to: number) => [scheduledChangeLog(sets[to].map((k) => k.publicKey))];
const chain: Header[] = [genesis];
for (let n = 1; n <= 8; n++) {
  chain.push(child(chain[n - 1], n === 3 ? handOver(1) : n === 6 ? handOver(2) : []));
}

/** Set `set`'s justification of `target`, signed by `signers` (by default all of it). */
function justify(
  set: number,
  target: Header,
  signers = sets[set],
  setId = BigInt(set),
): GrandpaJustification {
  const precommit = { targetHash: blockHash(target), targetNumber: target.number };
  const payload = localizedPayload({ tag: "Precommit", value: precommit }, 1n, setId);
  return {
    round: 1n,
    commit: {
      ...precommit,
      precommits: signers.map((k) => ({ precommit, signature: k.sign(payload), id: k.publicKey })),
    },
    votesAncestries: [],
  };
}

const atGenesis = () =>
  new LightFinality(
    { header: genesis, set: { setId: 0n, authorities: sets[0].map((k) => k.publicKey) } },
    verifyNative,
  );

function refused(light: LightFinality, act: () => void, reason: RegExp): void {
  const before = { finalized: light.finalized, set: light.set };
  throws(act, (e: Error) => e instanceof FinalityProofError && reason.test(e.message));
  assertEquals({ finalized: light.finalized, set: light.set }, before, "nothing changed");
}

Deno.test("a light client follows finality through two authority set changes", () => {
  const light = atGenesis();
  light.follow(chain.slice(1, 3), justify(0, chain[2]));
  assertEquals(light.finalized.number, 2);
  light.follow([chain[3]], justify(0, chain[3]));
  assertEquals(light.set.setId, 1n, "set 0 handed over at #3");
  assertEquals(light.set.authorities, sets[1].map((k) => k.publicKey));
  light.follow(chain.slice(4, 7), justify(1, chain[6]));
  light.follow(chain.slice(7), justify(2, chain[8]));
  assertEquals(blockHash(light.finalized), blockHash(chain[8]));
  assertEquals(light.set.setId, 2n);
});

Deno.test("a late light client warps from genesis over both set changes, then follows", () => {
  const light = atGenesis();
  light.warp([
    { header: chain[3], justification: justify(0, chain[3]) },
    { header: chain[6], justification: justify(1, chain[6]) },
  ]);
  assertEquals(light.finalized.number, 6);
  assertEquals(light.set.setId, 2n);
  light.follow(chain.slice(7), justify(2, chain[8]));
  assertEquals(blockHash(light.finalized), blockHash(chain[8]));
});

Deno.test("attack: forged headers are refused; headers past a set change ask for a warp", () => {
  const light = atGenesis();
  const forged = child(chain[1], [], 7); // #2 on another fork
  refused(
    light,
    () => light.follow([chain[1], forged, chain[3]], justify(0, chain[3])),
    /#3 is not the child of #2/,
  );
  refused(light, () => light.follow([chain[2]], justify(0, chain[2])), /not the child of #0/);
  // Set 0 signs #4 with valid signatures, but its votes stop at its change at #3: warp first.
  throws(() => light.follow(chain.slice(1, 5), justify(0, chain[4])), SetChangeAhead);
  assertEquals(light.finalized.number, 0);
  refused(light, () => light.follow([], justify(0, chain[1])), /No headers/);
});

Deno.test("attack: forged, missing, outsiders' and another set's signatures are refused", () => {
  const light = atGenesis();
  const good = justify(0, chain[1]);
  const forged = structuredClone(good);
  forged.commit.precommits[1].signature = forged.commit.precommits[0].signature;
  refused(light, () => light.follow([chain[1]], forged), /bad signature/);
  refused(
    light,
    () => light.follow([chain[1]], justify(0, chain[1], sets[0].slice(0, 2))),
    /2 of 4/,
  );
  // Outsiders, the next set's votes, or set 0's keys signing as set 1: none is set 0's vote.
  const outsiders = [keys[4], keys[5], keys[0]];
  refused(light, () => light.follow([chain[1]], justify(0, chain[1], outsiders)), /not in set 0/);
  refused(light, () => light.follow([chain[1]], justify(1, chain[1])), /bad signature/);
  refused(
    light,
    () => light.follow([chain[1]], justify(0, chain[1], sets[0], 1n)),
    /bad signature/,
  );
  refused(light, () => light.follow([chain[1]], justify(0, chain[2])), /another block/);
  light.follow([chain[1]], good);
  assertEquals(light.finalized.number, 1);
});

Deno.test("attack: a warp fragment that is no set change, is old, or is badly signed is refused", () => {
  const light = atGenesis();
  refused(
    light,
    () => light.warp([{ header: chain[2], justification: justify(0, chain[2]) }]),
    /#2 schedules no set change/,
  );
  // The next set's proof of its own change, shown to a client still at set 0.
  refused(
    light,
    () => light.warp([{ header: chain[6], justification: justify(1, chain[6]) }]),
    /bad signature/,
  );
  light.warp([{ header: chain[3], justification: justify(0, chain[3]) }]);
  refused(
    light,
    () => light.warp([{ header: chain[3], justification: justify(1, chain[3]) }]),
    /not above the finalized #3/,
  );
  // A fragment after a bad one is not reached; the good ones before it stay.
  refused(
    light,
    () =>
      light.warp([{ header: chain[6], justification: justify(1, chain[6], sets[1].slice(0, 1)) }]),
    /1 of 4/,
  );
  assertEquals(light.set.setId, 1n);
});
