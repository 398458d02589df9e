// USR2 is nginx's binary upgrade, which Tollgate has no counterpart for. Every process that receives it says so
// once, in the same words: the supervisor for itself, a data-plane worker when it is signalled directly (the
// supervisor does not pass its USR2 on, so one signal is never logged twice).
export const USR2_IGNORED = 'received SIGUSR2: ignored (nginx upgrades its binary on USR2; a new Tollgate version starts with tollgate restart)';
