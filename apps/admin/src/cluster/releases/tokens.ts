export const RELEASE_STORE = Symbol('RELEASE_STORE');
export const RELEASE_RECORDER = Symbol('RELEASE_RECORDER');
