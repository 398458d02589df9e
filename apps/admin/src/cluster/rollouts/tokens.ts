export const ROLLOUT_STORE = Symbol('ROLLOUT_STORE');
export const ROLLOUT_PINS = Symbol('ROLLOUT_PINS');
