/** A record with an id and a name, as a select's option (the filters' partner and application choices). */
export type Named = { id: string; name: string };
export type SelectOption = { value: string; label: string };

export const toOptions = (items: readonly Named[] | undefined): SelectOption[] =>
  (items ?? []).map((i) => ({ value: i.id, label: i.name }));
