/**
 * `AuraApi` (version 1), `GrandpaApi` (version 3) and `SessionKeys`
 * (version 1): the authority set, read from the authorship pallet.
 *
 * A validator has one session key, ed25519, that authors blocks and casts
 * finality votes; so Aura's and GRANDPA's authorities are the same keys,
 * and an encoded session key set is those 32 bytes, which decode to the
 * key under both key types (`aura`, `gran`).
 *
 * @module
 */
import { t } from "../codec/types.ts";
import { authorities, authoritySetId, slotDuration } from "../../pallets/authorship/mod.ts";
import { method, type RuntimeApi, RuntimeApiError } from "./api.ts";

/** `AuraApi`. */
export const auraApi: RuntimeApi = {
  api: "AuraApi",
  version: 1,
  docs: "API necessary for block authorship with aura.",
  methods: {
    slot_duration: method({
      inputs: {},
      output: t.u64,
      docs: "Returns the slot duration for Aura (milliseconds).",
      run: (_host, state) => slotDuration(state.reader),
    }),
    authorities: method({
      inputs: {},
      output: t.vec(t.accountId),
      docs: "Return the current set of authorities.",
      run: (_host, state) => authorities(state.reader),
    }),
  },
};

/** `GrandpaApi`: every authority has weight 1. */
export const grandpaApi: RuntimeApi = {
  api: "GrandpaApi",
  version: 3,
  docs: "APIs for integrating the GRANDPA finality gadget into runtimes.",
  methods: {
    grandpa_authorities: method({
      inputs: {},
      output: t.vec(t.tuple(t.accountId, t.u64)),
      docs: "Get the current GRANDPA authorities and weights.",
      run: (_host, state) => authorities(state.reader).map((key) => [key, 1n]),
    }),
    current_set_id: method({
      inputs: {},
      output: t.u64,
      docs: "Get current GRANDPA authority set id.",
      run: (_host, state) => authoritySetId(state.reader),
    }),
  },
};

const KEY_TYPES = ["aura", "gran"].map((k) => new TextEncoder().encode(k));

/** `SessionKeys`. */
export const sessionKeysApi: RuntimeApi = {
  api: "SessionKeys",
  version: 1,
  docs: "Session keys runtime api.",
  methods: {
    generate_session_keys: method({
      inputs: { seed: t.option(t.bytes) },
      output: t.bytes,
      docs: "Generate a set of session keys. Refused here: the runtime reaches no keystore " +
        "(the node's `key` commands make session keys).",
      run() {
        throw new RuntimeApiError(
          "RUNTIME_API_EXECUTION_FAILED",
          "SessionKeys_generate_session_keys",
          "no keystore is reachable from the runtime",
        );
      },
    }),
    decode_session_keys: method({
      inputs: { encoded: t.bytes },
      output: t.option(t.vec(t.tuple(t.bytes, t.fixedBytes(4)))),
      docs: "Decode the given public session keys: one ed25519 key (32 bytes), for `aura` and " +
        "`gran`. Returns `None` for anything else.",
      run: (_host, _state, { encoded }) =>
        encoded.length === 32 ? KEY_TYPES.map((type) => [encoded, type]) : undefined,
    }),
  },
};
