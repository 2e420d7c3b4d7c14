import { registerDecorator, type ValidationOptions } from 'class-validator';

/** A calendar date `YYYY-MM-DD` that exists (no 2025-02-30). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be a calendar date YYYY-MM-DD', ...options },
      validator: { validate: (v: unknown) => isCalendarDate(v) },
    });
}

/**
 * The calendar date (YYYY-MM-DD) in the provider's time zone at an instant. Employment dates are
 * calendar dates in Europe/Amsterdam (docs/sharing-rules.md rule 6).
 */
export function amsterdamDate(at: Date): string {
  return AMSTERDAM.format(at);
}

const AMSTERDAM = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });
