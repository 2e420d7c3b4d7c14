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
