/**
 * The staking genesis config: the chain-spec parameters, the stakers bonded
 * at genesis, and era 0's election.
 *
 * @module
 */
import { t, type ValueOf } from "../../runtime/codec/types.ts";
import { genesisConfig } from "../../runtime/pallet/pallet.ts";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import { electEra } from "./_era.ts";
import { bondNew, setNominations } from "./_ledger.ts";
import { MAX_VALIDATORS, PERBILL, storage } from "./_storage.ts";

/** A staker of the genesis config: a stash, its session key, its bond and its role. */
export const genesisStakerType = t.struct("GenesisStaker", {
  stash: t.accountId,
  sessionKey: t.accountId,
  bond: t.balance,
  role: t.enum("GenesisStakerRole", {
    Validator: t.struct("GenesisValidator", { commissionPerbill: t.u32 }),
    Nominator: t.vec(t.accountId),
  }),
});

/** The staking pallet's genesis config. */
export const stakingGenesisType = t.struct("StakingGenesis", {
  eraLength: t.u32,
  bondingDuration: t.u32,
  validatorCount: t.u32,
  minValidatorBond: t.balance,
  minNominatorBond: t.balance,
  eraPayout: t.balance,
  equivocationSlashPerbill: t.u32,
  stakers: t.vec(genesisStakerType),
});

/** A staking genesis config. */
export type StakingGenesis = ValueOf<typeof stakingGenesisType>;

const TOKEN = 10n ** 12n;

const field = (name: string) => `genesis.runtime.staking.${name}`;

/** The staking genesis: parameters into storage, stakers bonded, era 0 elected. */
export const stakingGenesis = genesisConfig({
  type: stakingGenesisType,
  // One-hour eras of 6 s blocks, four weeks of bonding as on Polkadot, no stakers.
  default: {
    eraLength: 600,
    bondingDuration: 28,
    validatorCount: 100,
    minValidatorBond: 1_000n * TOKEN,
    minNominatorBond: 10n * TOKEN,
    eraPayout: 1_000n * TOKEN,
    equivocationSlashPerbill: 100_000_000,
    stakers: [],
  } as StakingGenesis,
  build(ctx, config) {
    if (config.eraLength < 1) throw new TypeError(`${field("eraLength")}: must be at least 1`);
    if (config.validatorCount < 1) {
      throw new TypeError(`${field("validatorCount")}: must be at least 1`);
    }
    if (config.validatorCount > MAX_VALIDATORS) {
      throw new TypeError(
        `${field("validatorCount")}: must be at most ${MAX_VALIDATORS} (MaxValidators)`,
      );
    }
    if (BigInt(config.equivocationSlashPerbill) > PERBILL) {
      throw new TypeError(`${field("equivocationSlashPerbill")}: must be at most 1000000000`);
    }
    const { state } = ctx;
    storage.EraLength.set(state, config.eraLength);
    storage.BondingDuration.set(state, config.bondingDuration);
    storage.ValidatorCount.set(state, config.validatorCount);
    storage.MinValidatorBond.set(state, config.minValidatorBond);
    storage.MinNominatorBond.set(state, config.minNominatorBond);
    storage.EraPayout.set(state, config.eraPayout);
    storage.EquivocationSlashPerbill.set(state, config.equivocationSlashPerbill);
    const validators = config.stakers.filter((s) => s.role.tag === "Validator");
    config.stakers.forEach((staker, i) => {
      const at = (name: string) => field(`stakers[${i}].${name}`);
      if (storage.Ledger.contains(state, staker.stash)) {
        throw new TypeError(`${at("stash")}: bonded twice`);
      }
      if (storage.KeyOwner.contains(state, staker.sessionKey)) {
        throw new TypeError(`${at("sessionKey")}: used by another staker`);
      }
      try {
        bondNew(ctx, staker.stash, staker.bond);
      } catch {
        throw new TypeError(`${at("bond")}: cannot bond ${staker.bond} (too little or unfunded)`);
      }
      if (storage.Ledger.get(state, staker.stash)!.active !== staker.bond) {
        throw new TypeError(`${at("bond")}: more than the stash's free balance`);
      }
      storage.SessionKeys.set(state, staker.stash, staker.sessionKey);
      storage.KeyOwner.set(state, staker.sessionKey, staker.stash);
      const { role } = staker;
      if (role.tag === "Validator") {
        if (staker.bond < config.minValidatorBond) {
          throw new TypeError(`${at("bond")}: below minValidatorBond`);
        }
        if (BigInt(role.value.commissionPerbill) > PERBILL) {
          throw new TypeError(`${at("role.Validator.commissionPerbill")}: above 1000000000`);
        }
        storage.Validators.set(state, staker.stash, {
          commissionPerbill: role.value.commissionPerbill,
          blocked: false,
        });
      } else {
        if (staker.bond < config.minNominatorBond) {
          throw new TypeError(`${at("bond")}: below minNominatorBond`);
        }
        const targets = role.value;
        if (targets.length === 0 || targets.length > 16) {
          throw new TypeError(`${at("role.Nominator")}: must name 1 to 16 targets`);
        }
        targets.forEach((target, j) => {
          if (!validators.some((v) => equalBytes(v.stash, target))) {
            throw new TypeError(`${at(`role.Nominator[${j}]`)}: not a genesis validator`);
          }
        });
        setNominations(state, staker.stash, targets);
      }
    });
    electEra(ctx, 0);
  },
});
