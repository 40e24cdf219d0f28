import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { RelayError } from "./relay.ts";
import { SessionCaps } from "./session_caps.ts";

const alice = new Uint8Array(32).fill(1);
const bob = new Uint8Array(32).fill(2);
const refused = (status: number) => (e: unknown) => e instanceof RelayError && e.status === status;

Deno.test("attack: one account opening a fifth session is refused, until one of its seats is given back", () => {
  const caps = new SessionCaps({ perAccount: 4, perIp: 32, total: 1_000 });
  const seats = [1, 2, 3, 4].map((i) => caps.admit(alice, "watch", `10.0.0.${i}`));
  throws(() => caps.admit(alice, "watch", "10.0.0.9"), refused(429));
  caps.admit(bob, "watch", "10.0.0.9");
  seats[0].release();
  seats[0].release(); // twice is once
  caps.admit(alice, "publish", "10.0.0.9");
  throws(() => caps.admit(alice, "watch", "10.0.0.9"), refused(429));
  assertEquals(caps.taken, 5);
});

Deno.test("attack: one host with many keys is capped per IP; loopback only when asked", () => {
  const key = (i: number) => new Uint8Array(32).fill(i);
  const caps = new SessionCaps({ perAccount: 4, perIp: 3, total: 1_000 });
  for (let i = 0; i < 3; i++) caps.admit(key(i), "watch", "203.0.113.7");
  throws(() => caps.admit(key(9), "watch", "203.0.113.7"), refused(429));
  for (let i = 0; i < 10; i++) caps.admit(key(10 + i), "watch", "127.0.0.1");
  const strict = new SessionCaps({ perAccount: 4, perIp: 3, total: 1_000, capLoopback: true });
  for (let i = 0; i < 3; i++) strict.admit(key(i), "watch", "127.0.0.1");
  throws(() => strict.admit(key(9), "watch", "127.0.0.1"), refused(429));
});

Deno.test("a full relay refuses with 503; relay pulls are capped per IP and in all, not per account", () => {
  const caps = new SessionCaps({ perAccount: 1, perIp: 100, total: 5 });
  for (let i = 0; i < 5; i++) caps.admit(alice, "relay", "198.51.100.1");
  throws(() => caps.admit(bob, "watch", "198.51.100.2"), refused(503));
});
