import type { VariantProps } from "class-variance-authority";
import { Slot } from "radix-ui";
import type { ComponentProps } from "react";
import { buttonVariants } from "./button-variants";
// clsx, not clsx(): callers add classes, they do not override these, and tailwind-merge stays off first loads.
import { clsx } from "clsx";

export { buttonVariants };

export type ButtonProps = ComponentProps<"button"> &
  VariantProps<typeof buttonVariants> & {
    /** Render the child element (a link, say) with the button's look instead of a <button>. */
    asChild?: boolean;
    /**
     * Work in progress: the button refuses clicks but stays focusable (a disabled button would
     * drop keyboard focus to the page body).
     */
    pending?: boolean;
  };

export function Button({
  className,
  variant,
  size,
  asChild = false,
  pending = false,
  type,
  onClick,
  ...props
}: ButtonProps) {
  if (asChild) {
    return (
      <Slot.Root
        className={clsx(buttonVariants({ variant, size }), className)}
        onClick={onClick}
        {...props}
      />
    );
  }
  return (
    <button
      type={type ?? "button"}
      className={clsx(buttonVariants({ variant, size }), pending && "cursor-progress opacity-70", className)}
      aria-disabled={pending || undefined}
      aria-busy={pending || undefined}
      onClick={(event) => {
        if (pending) {
          event.preventDefault();
          return;
        }
        onClick?.(event);
      }}
      {...props}
    />
  );
}
