// Checks the body of POST /rollouts; a violation is Kong's 400 "schema violation" naming each bad field.
import { schemaViolation, type ErrorTree } from '@tollgate/errors';
import type { RolloutOpenBody, RolloutStage } from './rollout-types';

/** The grammar cluster_dp_labels accepts (libs/config value-checks), so any data plane's labels can be named. */
const LABEL_KEY = /^[A-Za-z0-9._~-]+$/;
export const MAX_STAGES = 32;
/** A week: a hold longer than that is a typo, not a canary period. */
export const MAX_HOLD_SECONDS = 7 * 24 * 3600;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkLabels(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (!isObject(value)) return 'expected a map';
  const errors: ErrorTree = {};
  for (const [k, v] of Object.entries(value)) {
    if (!LABEL_KEY.test(k)) errors[k] = `invalid label key '${k}': letters, digits, '.', '_', '~' or '-' only`;
    else if (typeof v !== 'string') errors[k] = 'expected a string';
    else if (v.trim() === '' || v !== v.trim()) errors[k] = 'expected a non-empty string without surrounding spaces';
  }
  return Object.keys(errors).length ? errors : undefined;
}

function checkStage(value: unknown): { stage?: RolloutStage; error?: unknown } {
  if (!isObject(value)) return { error: 'expected a record' };
  const errors: ErrorTree = {};
  for (const key of Object.keys(value)) if (key !== 'labels' && key !== 'hold_seconds') errors[key] = 'unknown field';
  const labels = checkLabels(value.labels);
  if (labels) errors.labels = labels;
  const hold = value.hold_seconds;
  if (hold !== undefined && hold !== null && (typeof hold !== 'number' || !Number.isInteger(hold) || hold < 1 || hold > MAX_HOLD_SECONDS)) {
    errors.hold_seconds = `value should be an integer between 1 and ${MAX_HOLD_SECONDS}`;
  }
  if (Object.keys(errors).length) return { error: errors };
  return { stage: { labels: { ...((value.labels as Record<string, string> | undefined) ?? {}) }, hold_seconds: (hold as number | null | undefined) ?? null } };
}

export function parseRolloutBody(body: unknown): RolloutOpenBody {
  if (!isObject(body)) throw schemaViolation({ '@entity': ['expected a JSON object'] });
  const errors: ErrorTree = {};
  for (const key of Object.keys(body)) if (key !== 'stages' && key !== 'max_error_rate') errors[key] = 'unknown field';
  const stages: RolloutStage[] = [];
  if (body.stages === undefined || body.stages === null) errors.stages = 'required field missing';
  else if (!Array.isArray(body.stages)) errors.stages = 'expected an array';
  else if (body.stages.length < 1 || body.stages.length > MAX_STAGES) errors.stages = `length must be between 1 and ${MAX_STAGES}`;
  else {
    // Kong reports array elements by position (1-based in its messages, index in the JSON array)
    const perStage: unknown[] = body.stages.map(() => null);
    let bad = false;
    body.stages.forEach((raw: unknown, i: number) => {
      const { stage, error } = checkStage(raw);
      if (error) {
        perStage[i] = error;
        bad = true;
      } else stages.push(stage!);
    });
    if (bad) errors.stages = perStage;
  }
  const rate = body.max_error_rate;
  if (rate !== undefined && rate !== null && (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1)) {
    errors.max_error_rate = 'value should be between 0 and 1';
  }
  if (Object.keys(errors).length) throw schemaViolation(errors);
  return { stages, max_error_rate: (rate as number | null | undefined) ?? null };
}
