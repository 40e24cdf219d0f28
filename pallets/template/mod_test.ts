/**
 * Tests of the template pallet, written as a tutorial: each test builds a
 * fresh chain from the dev genesis (`new TestExt()`), applies calls as a dev
 * account, and checks one behaviour three ways — the call succeeded (`ok`),
 * a failing call changed nothing (`assertNoop`), and the right event was
 * emitted (`assertLastEvent`).
 *
 * Run them with `deno task test pallets/template`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { assertLastEvent, assertNoop, dev, TestExt } from "../../runtime/testing/mod.ts";
import { ownerOf, something, templateStorage } from "./mod.ts";

Deno.test("doSomething() stores the value and says who stored it", () => {
  const ext = new TestExt();
  // `apply` dispatches the call directly: no fee, no signature, but the same
  // storage transaction and events as in a block.
  const result = ext.apply("Template", "doSomething", { something: 42 }, dev.alice);
  assert.deepEqual(result, { ok: true });
  // Read storage through the pallet's helper, or its storage item directly.
  assert.equal(something(ext.state), 42);
  assert.equal(templateStorage.Something.get(ext.state), 42);
  // Event fields are matched as a subset: name only the ones that matter.
  assertLastEvent(ext, "Template", "SomethingStored", {
    something: 42,
    who: dev.alice.publicKey,
  });
});

Deno.test("doSomething() needs a signed origin", () => {
  const ext = new TestExt();
  // Errors outside any pallet are named by their kind.
  assertNoop(ext, "Template", "doSomething", { something: 1 }, "root", "BadOrigin");
  assertNoop(ext, "Template", "doSomething", { something: 1 }, "none", "BadOrigin");
});

Deno.test("causeError() fails with NoneValue when nothing is stored", () => {
  const ext = new TestExt();
  // `assertNoop` checks the error AND that no storage key changed.
  assertNoop(ext, "Template", "causeError", {}, dev.alice, "Template.NoneValue");
});

Deno.test("causeError() increments the stored value", () => {
  const ext = new TestExt();
  ext.apply("Template", "doSomething", { something: 7 }, dev.alice);
  assert.deepEqual(ext.apply("Template", "causeError", {}, dev.bob), { ok: true });
  assert.equal(something(ext.state), 8);
});

Deno.test("causeError() fails with StorageOverflow at u32::MAX", () => {
  // Genesis config overrides take the chain-spec JSON shape.
  const ext = new TestExt({ template: { something: 0xffff_ffff } });
  assert.equal(something(ext.state), 0xffff_ffff);
  assertNoop(ext, "Template", "causeError", {}, dev.alice, "Template.StorageOverflow");
});

Deno.test("claim() gives a number to the first claimant only", () => {
  const ext = new TestExt();
  assert.deepEqual(ext.apply("Template", "claim", { value: 5 }, dev.bob), { ok: true });
  assert.deepEqual(ownerOf(ext.state, 5), dev.bob.publicKey);
  assertLastEvent(ext, "Template", "Claimed", { value: 5, who: dev.bob.publicKey });
  assertNoop(ext, "Template", "claim", { value: 5 }, dev.charlie, "Template.AlreadyClaimed");
  // Claims are per number: another one is still free.
  assert.deepEqual(ext.apply("Template", "claim", { value: 6 }, dev.charlie), { ok: true });
});

Deno.test("onFinalize records the last block that changed the pallet", () => {
  const ext = new TestExt();
  const touched = ext.blockNumber;
  ext.apply("Template", "doSomething", { something: 1 }, dev.alice);
  // `nextBlock` finishes the block (running `onFinalize`) and opens the next.
  ext.nextBlock();
  assert.equal(templateStorage.LastTouched.get(ext.state), touched);
  assert.equal(templateStorage.TouchedThisBlock.get(ext.state), undefined);
  // A block with no calls of the pallet leaves it alone.
  ext.nextBlock(2);
  assert.equal(templateStorage.LastTouched.get(ext.state), touched);
});

Deno.test("a failed call does not count as a change", () => {
  const ext = new TestExt();
  ext.apply("Template", "causeError", {}, dev.alice);
  ext.nextBlock();
  assert.equal(templateStorage.LastTouched.get(ext.state), undefined);
});

Deno.test("genesis without a value stores nothing", () => {
  const ext = new TestExt({ template: {} });
  assert.equal(something(ext.state), undefined);
});

// A property test states an invariant for many generated inputs; fast-check
// shrinks a failure to the smallest input that shows it.
Deno.test("property: causeError() adds exactly the number of successful calls", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0xffff_ffff - 20, max: 0xffff_ffff }),
      fc.integer({ min: 0, max: 10 }),
      (start, calls) => {
        const ext = new TestExt({ template: { something: start } });
        let ok = 0;
        for (let i = 0; i < calls; i++) {
          if (ext.apply("Template", "causeError", {}, dev.alice).ok) ok++;
        }
        assert.equal(something(ext.state), start + ok);
        assert.equal(ok, Math.min(calls, 0xffff_ffff - start));
      },
    ),
    { numRuns: 10 },
  );
});
