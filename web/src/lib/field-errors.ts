/** A form validator's answer per field: a message a person can act on, absent where the field is fine. */
export type FieldErrors<K extends string> = Partial<Record<K, string>>;
