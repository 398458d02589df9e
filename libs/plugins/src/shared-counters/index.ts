export { CounterTable, tableBytes, hashPart, finish, MULTIPLIER_A, MULTIPLIER_B, SEED_A, SEED_B, EPOCH_BASE_S } from './table';
export { counterMemory, sharedCountersFile, useSharedCountersFile, resetSharedCountersFile, type CounterMemory } from './memory';
