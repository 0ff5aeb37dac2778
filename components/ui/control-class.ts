/**
 * The look of a text input or native select, in its own module so the plain fields (field.tsx, the
 * sign-in form) can use it without input.tsx's cn() and so without tailwind-merge.
 */
export const controlClass =
  "block h-9 w-full min-w-0 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 shadow-sm placeholder:text-slate-500 focus-visible:border-brand-500 focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-brand-500 disabled:cursor-not-allowed disabled:bg-slate-50 disabled:opacity-70 aria-invalid:border-red-600";
