// Builders for Kong's declarative entity checks (conditional, at_least_one_of, all_or_none_of, distinct).
import { EntityCheck, FieldDef } from '../types';
import { MSG } from '../fields/messages';
import { isEmptyValue } from '../validate/helpers';
import { runValidators } from '../validate/scalar-checks';

type Entity = Record<string, unknown>;

/** When `ifField` satisfies `when`, `thenField` must satisfy `then`: else @entity + field message. */
export function conditional(spec: {
  ifField: string;
  when: (value: unknown, entity: Entity) => boolean;
  thenField: string;
  /** Kong's then_match, as a message-producing check on the then_field value. */
  then: (value: unknown) => string | undefined;
  kongJson?: Record<string, unknown>;
}): EntityCheck {
  return {
    fields: [spec.ifField, spec.thenField],
    kongJson: spec.kongJson ?? { conditional: { if_field: spec.ifField, then_field: spec.thenField } },
    check: (entity) => {
      if (!spec.when(entity[spec.ifField], entity)) return [];
      const message = spec.then(entity[spec.thenField]);
      return message ? [{ message: MSG.conditional(spec.ifField) }, { field: spec.thenField, message }] : [];
    },
  };
}

export const mustBeNull = (value: unknown) => (value === null || value === undefined ? undefined : MSG.MUST_BE_NULL);
export const requiredValue = (value: unknown) => (value === null || value === undefined ? MSG.REQUIRED : undefined);
/** then_match as a FieldDef fragment (e.g. one_of). */
export const matches = (def: Partial<FieldDef>) => (value: unknown) =>
  value === null || value === undefined ? undefined : runValidators({ type: 'string', len_min: 0, ...def }, value);

export function atLeastOneOf(fields: readonly string[]): EntityCheck {
  return {
    fields,
    kongJson: { at_least_one_of: fields },
    check: (e) => (fields.every((f) => isEmptyValue(e[f])) ? [{ message: MSG.atLeastOneOf(fields) }] : []),
  };
}

export function allOrNoneOf(fields: readonly string[]): EntityCheck {
  return {
    fields,
    kongJson: { mutually_required: fields },
    check: (e) => {
      const set = fields.filter((f) => e[f] !== null && e[f] !== undefined).length;
      return set !== 0 && set !== fields.length ? [{ message: MSG.allOrNone(fields) }] : [];
    },
  };
}

export function distinct(fields: readonly string[]): EntityCheck {
  return {
    fields,
    kongJson: { distinct: fields },
    check: (e) => {
      const values = fields.map((f) => e[f]).filter((v) => v !== null && v !== undefined);
      return values.length === fields.length && new Set(values).size < values.length ? [{ message: MSG.distinct(fields) }] : [];
    },
  };
}
