/**
 * Tests of the template pallet, written as a tutorial: each test builds a
 * fresh chain of the pallet's mock runtime (`newTestExt()`, in `_mock.ts`:
 * System and Template, nothing else), applies calls as a dev account, and
 * checks one behaviour three ways — the call succeeded (`ok`), a failing
 * call changed nothing (`assertNoop`), and the right event was emitted
 * (`assertLastEvent`).
 *
 * Calls, events and errors are the pallet's own typed values
 * (`template.calls.doSomething({ something })`,
 * `template.events.SomethingStored({ … })`, `template.errors.NoneValue`):
 * a wrong name, argument or field is a type error, not a failing test.
 *
 * Run them with `deno task test pallets/template`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { assertLastEvent, assertNoop, dev } from "../../runtime/testing/mod.ts";
import { ownerOf, something, template } from "./mod.ts";
import { newTestExt } from "./_mock.ts";

const { calls, events, errors, storage } = template;

Deno.test("doSomething() stores the value and says who stored it", () => {
  const ext = newTestExt();
  // `apply` dispatches the call directly: no fee, no signature, but the same
  // storage transaction and events as in a block.
  const result = ext.apply(calls.doSomething({ something: 42 }), dev.alice);
  assert.deepEqual(result, { ok: true });
  // Read storage through the pallet's helper, or its storage item directly.
  assert.equal(something(ext.state), 42);
  assert.equal(storage.Something.get(ext.state), 42);
  // The event, every field: the compiler checks their names and types.
  assertLastEvent(ext, events.SomethingStored({ something: 42, who: dev.alice.publicKey }));
});

Deno.test("doSomething() needs a signed origin", () => {
  const ext = newTestExt();
  // Errors outside any pallet are named by their kind.
  assertNoop(ext, calls.doSomething({ something: 1 }), "root", "BadOrigin");
  assertNoop(ext, calls.doSomething({ something: 1 }), "none", "BadOrigin");
});

Deno.test("causeError() fails with NoneValue when nothing is stored", () => {
  const ext = newTestExt();
  // `assertNoop` checks the error AND that no storage key changed.
  assertNoop(ext, calls.causeError(), dev.alice, errors.NoneValue);
});

Deno.test("causeError() increments the stored value", () => {
  const ext = newTestExt();
  ext.apply(calls.doSomething({ something: 7 }), dev.alice);
  assert.deepEqual(ext.apply(calls.causeError(), dev.bob), { ok: true });
  assert.equal(something(ext.state), 8);
});

Deno.test("causeError() fails with StorageOverflow at u32::MAX", () => {
  // Genesis configs take the chain-spec JSON shape.
  const ext = newTestExt({ template: { something: 0xffff_ffff } });
  assert.equal(something(ext.state), 0xffff_ffff);
  assertNoop(ext, calls.causeError(), dev.alice, errors.StorageOverflow);
});

Deno.test("claim() gives a number to the first claimant only", () => {
  const ext = newTestExt();
  assert.deepEqual(ext.apply(calls.claim({ value: 5 }), dev.bob), { ok: true });
  assert.deepEqual(ownerOf(ext.state, 5), dev.bob.publicKey);
  assertLastEvent(ext, events.Claimed({ value: 5, who: dev.bob.publicKey }));
  assertNoop(ext, calls.claim({ value: 5 }), dev.charlie, errors.AlreadyClaimed);
  // Claims are per number: another one is still free.
  assert.deepEqual(ext.apply(calls.claim({ value: 6 }), dev.charlie), { ok: true });
});

Deno.test("onFinalize records the last block that changed the pallet", () => {
  const ext = newTestExt();
  const touched = ext.blockNumber;
  ext.apply(calls.doSomething({ something: 1 }), dev.alice);
  // `nextBlock` finishes the block (running `onFinalize`) and opens the next.
  ext.nextBlock();
  assert.equal(storage.LastTouched.get(ext.state), touched);
  assert.equal(storage.TouchedThisBlock.get(ext.state), undefined);
  // A block with no calls of the pallet leaves it alone.
  ext.nextBlock(2);
  assert.equal(storage.LastTouched.get(ext.state), touched);
});

Deno.test("a failed call does not count as a change", () => {
  const ext = newTestExt();
  ext.apply(calls.causeError(), dev.alice);
  ext.nextBlock();
  assert.equal(storage.LastTouched.get(ext.state), undefined);
});

Deno.test("genesis without a value stores nothing", () => {
  const ext = newTestExt({ template: {} });
  assert.equal(something(ext.state), undefined);
});

// A property test states an invariant for many generated inputs; fast-check
// shrinks a failure to the smallest input that shows it.
Deno.test("property: causeError() adds exactly the number of successful calls", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0xffff_ffff - 20, max: 0xffff_ffff }),
      fc.integer({ min: 0, max: 10 }),
      (start, n) => {
        const ext = newTestExt({ template: { something: start } });
        let ok = 0;
        for (let i = 0; i < n; i++) {
          if (ext.apply(calls.causeError(), dev.alice).ok) ok++;
        }
        assert.equal(something(ext.state), start + ok);
        assert.equal(ok, Math.min(n, 0xffff_ffff - start));
      },
    ),
    { numRuns: 10 },
  );
});
