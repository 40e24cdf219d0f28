import assert from "node:assert/strict";
import { DEFAULT_SERVE_LIMITS, ServeBudgets } from "./_budget.ts";

/** Budgets on a clock the test moves. */
function onClock() {
  const clock = { now: 0 };
  return { clock, budgets: new ServeBudgets({}, () => clock.now) };
}

Deno.test("a peer firing requests is refused past its burst, refills at its rate, and others are untouched", () => {
  const { clock, budgets } = onClock();
  const { requestBurst, requestsPerSecond } = DEFAULT_SERVE_LIMITS;
  for (let i = 0; i < requestBurst; i++) {
    assert.equal(budgets.admit("flooder"), undefined, `request ${i}`);
    budgets.done("flooder", 100);
  }
  assert.match(budgets.admit("flooder")!, /more than 10 requests per second/);
  assert.equal(budgets.admit("honest"), undefined);
  budgets.done("honest", 100);
  clock.now += 1000;
  for (let i = 0; i < requestsPerSecond; i++) {
    assert.equal(budgets.admit("flooder"), undefined);
    budgets.done("flooder", 100);
  }
  assert.ok(budgets.admit("flooder"));
});

Deno.test("a peer holding requests open is refused more than its concurrent ones", () => {
  const { budgets } = onClock();
  for (let i = 0; i < DEFAULT_SERVE_LIMITS.concurrent; i++) {
    assert.equal(budgets.admit("slowloris"), undefined);
  }
  assert.match(budgets.admit("slowloris")!, /more than 4 requests at once/);
  budgets.done("slowloris", 0);
  assert.equal(budgets.admit("slowloris"), undefined);
});

Deno.test("a peer draining response bytes is refused until its bucket refills", () => {
  const { clock, budgets } = onClock();
  assert.equal(budgets.admit("greedy"), undefined);
  budgets.done("greedy", DEFAULT_SERVE_LIMITS.byteBurst + 1);
  assert.match(budgets.admit("greedy")!, /response bytes per second/);
  clock.now += 1;
  assert.equal(budgets.admit("greedy"), undefined, "out of debt: one more response");
});
