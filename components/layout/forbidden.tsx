import Link from "next/link";

export function Forbidden({ what }: { what: string }) {
  return (
    <div className="mx-auto max-w-lg rounded-lg border border-slate-200 bg-white p-8 text-center shadow-sm">
      <p className="text-sm font-semibold text-red-700">403 · Not allowed</p>
      <h1 className="mt-2 text-xl font-semibold text-slate-900">Your role cannot open {what}</h1>
      <p className="mt-2 text-sm text-slate-600">Ask an administrator if you need access.</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:underline">
        Back to the dashboard
      </Link>
    </div>
  );
}
