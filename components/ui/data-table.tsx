"use client";

import {
  flexRender,
  getCoreRowModel,
  getExpandedRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type ExpandedState,
  type Row,
  type RowData,
  type SortingState,
} from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import { Fragment, useState, type ReactNode } from "react";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "./table";

declare module "@tanstack/react-table" {
  // Augmenting the library's own interface (a type alias cannot merge).
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Classes for this column's cells (and its header). */
    className?: string;
    /** The header is read by screen readers only (an actions column, say). */
    srOnlyHeader?: boolean;
  }
}

export type { ColumnDef } from "@tanstack/react-table";

/**
 * A table over TanStack Table: sortable headers where a column allows it, an empty state, and an
 * optional detail row under an expanded row (`renderDetail`; toggle with `row.toggleExpanded()`).
 */
export function DataTable<TData>({
  columns,
  data,
  label,
  getRowId,
  empty,
  initialSorting = [],
  renderDetail,
  sortable = true,
  className,
}: {
  columns: ColumnDef<TData, never>[] | ColumnDef<TData, unknown>[];
  data: TData[];
  /** The table's accessible name. */
  label: string;
  getRowId?: (row: TData) => string;
  empty?: ReactNode;
  initialSorting?: SortingState;
  renderDetail?: (row: Row<TData>) => ReactNode;
  /** Off for server-ordered, paginated lists, where sorting the loaded rows would mislead. */
  sortable?: boolean;
  className?: string;
}) {
  const [sorting, setSorting] = useState<SortingState>(initialSorting);
  const [expanded, setExpanded] = useState<ExpandedState>({});
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Table returns fresh functions by design
  const table = useReactTable({
    data,
    columns: columns as ColumnDef<TData, unknown>[],
    state: { sorting, expanded },
    onSortingChange: setSorting,
    onExpandedChange: setExpanded,
    getRowId,
    getRowCanExpand: () => renderDetail !== undefined,
    enableSorting: sortable,
    enableSortingRemoval: false,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getExpandedRowModel: getExpandedRowModel(),
  });
  const rows = table.getRowModel().rows;
  const columnCount = table.getVisibleLeafColumns().length;

  if (rows.length === 0 && empty) return <>{empty}</>;

  return (
    <Table aria-label={label} className={className}>
      <TableHeader>
        {table.getHeaderGroups().map((group) => (
          <TableRow key={group.id}>
            {group.headers.map((header) => {
              const meta = header.column.columnDef.meta;
              const sorted = header.column.getIsSorted();
              const content = header.isPlaceholder
                ? null
                : flexRender(header.column.columnDef.header, header.getContext());
              return (
                <TableHead
                  key={header.id}
                  scope="col"
                  className={meta?.className}
                  aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                >
                  {meta?.srOnlyHeader ? (
                    <span className="sr-only">{content}</span>
                  ) : header.column.getCanSort() ? (
                    <button
                      type="button"
                      onClick={header.column.getToggleSortingHandler()}
                      className="-mx-1 inline-flex items-center gap-1 rounded px-1 uppercase hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-brand-500"
                    >
                      {content}
                      {sorted === "asc" ? (
                        <ArrowUp className="size-3.5" aria-hidden />
                      ) : sorted === "desc" ? (
                        <ArrowDown className="size-3.5" aria-hidden />
                      ) : (
                        <ArrowUpDown className="size-3.5 opacity-60" aria-hidden />
                      )}
                    </button>
                  ) : (
                    content
                  )}
                </TableHead>
              );
            })}
          </TableRow>
        ))}
      </TableHeader>
      <TableBody>
        {rows.length === 0 ? (
          <TableRow>
            <TableCell colSpan={columnCount} className="py-8 text-center text-slate-600">
              Nothing to show.
            </TableCell>
          </TableRow>
        ) : (
          rows.map((row) => (
            <Fragment key={row.id}>
              <TableRow data-state={row.getIsExpanded() ? "selected" : undefined}>
                {row.getVisibleCells().map((cell) => (
                  <TableCell key={cell.id} className={cell.column.columnDef.meta?.className}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </TableCell>
                ))}
              </TableRow>
              {renderDetail && row.getIsExpanded() && (
                <TableRow className="bg-slate-50">
                  <TableCell colSpan={columnCount} className="px-3 py-3">
                    {renderDetail(row)}
                  </TableCell>
                </TableRow>
              )}
            </Fragment>
          ))
        )}
      </TableBody>
    </Table>
  );
}
