import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import { DomainError, type FieldProblem } from './errors/domain-error';

/** Only classes that declare class-validator rules are inputs; parents, context and info are not. */
const RULES = new WeakMap<object, boolean>();
function hasRules(metatype: unknown): metatype is new () => object {
  if (typeof metatype !== 'function') return false;
  // Asked for every parameter of every field resolver: remember the answer per class.
  let has = RULES.get(metatype);
  if (has === undefined) {
    has = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false).length > 0;
    RULES.set(metatype, has);
  }
  return has;
}

/**
 * Validates every GraphQL argument whose type is a class with class-validator rules, and reports
 * each offending field by its full path (`input.rows.2.email`) as BAD_USER_INPUT. Runs before the
 * resolver, so nothing is written on invalid input.
 */
@Injectable()
export class InputValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    // Text anywhere in an argument: the same rules for every field (docs/architecture.md, "Inputs").
    if (hasRules(metatype) || (typeof metadata.data === 'string' && metadata.type !== 'custom')) {
      const problems = textProblems(value, metadata.data ?? '');
      if (problems.length > 0) throw DomainError.invalidFields(problems);
    }
    if (!hasRules(metatype) || value === null || value === undefined || typeof value !== 'object') return value;
    const instance: object = plainToInstance(metatype, value);
    const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false });
    if (errors.length > 0) throw DomainError.invalidFields(flatten(errors, metadata.data));
    return instance;
  }
}

/** `@Args('input')` fields read `input.email`; fields of an @ArgsType() class read `first`. */
function flatten(errors: ValidationError[], prefix: string | undefined): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

// C0 controls but tab, line feed and carriage return, and DEL: never part of a name, an email or
// a reference, and NUL is refused by PostgreSQL itself.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// Half of a surrogate pair: not text at all (and validators crash on it).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every string in an argument, by path: no control characters, no broken UTF-16, not only blanks. */
function textProblems(value: unknown, path: string, depth = 0): FieldProblem[] {
  if (typeof value === 'string') {
    if (CONTROL.test(value)) return [{ field: path, message: 'must not contain control characters' }];
    if (LONE_SURROGATE.test(value)) return [{ field: path, message: 'must be valid text' }];
    if (value.length > 0 && value.trim().length === 0) return [{ field: path, message: 'must not be blank' }];
    return [];
  }
  if (depth > 8 || value === null || typeof value !== 'object' || value instanceof Date) return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => textProblems(v, path ? `${path}.${k}` : k, depth + 1));
}
