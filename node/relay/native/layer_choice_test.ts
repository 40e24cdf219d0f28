import assert from "node:assert/strict";
import { LayerChoice, layerProblem, LOSS_WINDOW_MS, QUIET_MS } from "./layer_choice.ts";

const LAYERS = ["q", "h", "f"];

Deno.test("a pinned layer is chosen by RID or rank, and automatically when it does not flow", () => {
  const choice = new LayerChoice();
  assert.equal(choice.choose(LAYERS), "f", "automatic: the top to begin with");
  choice.pin("h");
  assert.equal(choice.choose(LAYERS), "h");
  assert.equal(choice.choose(["q", "f"]), "f", "h does not flow");
  for (const [rank, layer] of [["low", "q"], ["mid", "h"], ["high", "f"]]) {
    choice.pin(rank);
    assert.equal(choice.choose(LAYERS), layer);
  }
  assert.equal(choice.choose(["q", "h"]), "h", "high among two");
  choice.pin("mid");
  assert.equal(choice.choose(["q", "h"]), "q", "mid among two: the lower");
  assert.equal(choice.choose([""]), "", "one stream is the one choice");
  assert.equal(choice.choose([]), undefined);
  choice.pin("auto");
  assert.equal(choice.pinned, undefined);
});

Deno.test("shedding caps every viewer below the top, pinned or not", () => {
  const choice = new LayerChoice();
  assert.equal(choice.choose(LAYERS, 1), "h");
  choice.pin("f");
  assert.equal(choice.choose(LAYERS, 2), "q");
  choice.pin("q");
  assert.equal(choice.choose(LAYERS, 1), "q");
});

Deno.test("automatic choice steps down on loss and back up after a quiet spell", () => {
  const choice = new LayerChoice();
  assert.equal(choice.choose(LAYERS), "f");
  let now = 0;
  let seq = 1000;
  let lost = 0;
  const report = (packets: number, lose: number) => {
    now += LOSS_WINDOW_MS;
    seq += packets;
    lost += lose;
    choice.report(lost, seq, now);
  };
  choice.report(lost, seq, now);
  report(400, 2);
  assert.equal(choice.choose(LAYERS), "f", "0.5% lost is not enough");
  report(400, 40);
  assert.equal(choice.choose(LAYERS), "h", "10% lost steps down");
  report(100, 10);
  report(100, 10);
  report(100, 10);
  assert.equal(choice.choose(LAYERS), "q", "no lower than the lowest");
  for (let t = 0; t < QUIET_MS; t += LOSS_WINDOW_MS) report(100, 0);
  assert.equal(choice.choose(LAYERS), "h", "quiet: one step up");
  report(100, 3);
  for (let t = 0; t < QUIET_MS - LOSS_WINDOW_MS; t += LOSS_WINDOW_MS) report(100, 0);
  assert.equal(choice.choose(LAYERS), "h", "3% lost restarts the quiet spell");
  report(100, 0);
  assert.equal(choice.choose(LAYERS), "f");
  // A report inside a window is kept for the window's end.
  choice.report(lost + 50, seq + 60, now + 100);
  assert.equal(choice.choose(LAYERS), "f");
});

Deno.test("layerProblem() names the layers a simulcast has, and lets any name pass without one", () => {
  assert.equal(layerProblem("h", ["q", "h", "f"]), undefined);
  assert.equal(layerProblem("auto", ["q", "h", "f"]), undefined);
  assert.equal(layerProblem("low", ["q", "h", "f"]), undefined);
  assert.equal(
    layerProblem("x", ["q", "h", "f"]),
    "has no layer x: its layers are q, h, f, or low, mid, high or auto",
  );
  assert.equal(layerProblem("x", undefined), undefined);
});
