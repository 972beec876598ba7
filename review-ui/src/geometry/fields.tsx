// Form fields of the geometry editor's item form, each showing the server's errors for its JSON path.
import { useId, type ReactNode } from 'react';
import { useI18n } from '../i18n';
import { fieldErrorText } from '../i18n/field-errors';
import { errorsAt, type ServerFieldError } from './model';

export function FieldErrors({ id, errors }: { id: string; errors: ServerFieldError[] }) {
  const { t } = useI18n();
  if (errors.length === 0) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {errors.map((e) => fieldErrorText(t, e.message)).join('; ')}
    </span>
  );
}

/** A labelled field with the server's errors for its JSON path shown under it. */
export function Field({
  label,
  path,
  errors,
  children,
}: {
  label: string;
  path: string;
  errors: ServerFieldError[];
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const errId = `${id}-err`;
  const mine = errorsAt(errors, path);
  return (
    <div className={mine.length ? 'field invalid' : 'field'} data-path={path}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': mine.length > 0, 'aria-describedby': mine.length ? errId : undefined })}
      <FieldErrors id={errId} errors={mine} />
    </div>
  );
}

/** The item's id (`<base>.id`), the first field of every item form. */
export function IdField({ base, value, onChange, errors }: { base: string; value: string; onChange: (v: string) => void; errors: ServerFieldError[] }) {
  const { t } = useI18n();
  return (
    <Field label={t('geo.id')} path={`${base}.id`} errors={errors}>
      {(p) => <input {...p} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

export function CheckGroup<T extends string>({
  legend,
  path,
  options,
  value,
  onChange,
  errors,
  label,
}: {
  legend: string;
  path: string;
  options: readonly T[];
  value: T[];
  onChange: (v: T[]) => void;
  errors: ServerFieldError[];
  label: (v: T) => string;
}) {
  const id = useId();
  const mine = errorsAt(errors, path).concat(errors.filter((e) => e.path.startsWith(path + '[')));
  return (
    <fieldset className={mine.length ? 'field invalid' : 'field'} data-path={path} aria-describedby={mine.length ? `${id}-err` : undefined}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o} className="check">
          <input type="checkbox" checked={value.includes(o)} onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((v) => v !== o))} />{' '}
          {label(o)}
        </label>
      ))}
      <FieldErrors id={`${id}-err`} errors={mine} />
    </fieldset>
  );
}
