import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-full items-center justify-center px-4 py-16">
      <div className="max-w-md text-center">
        <p className="text-sm font-semibold text-brand-600">404</p>
        <h1 className="mt-2 text-2xl font-semibold text-slate-900">This page does not exist</h1>
        <p className="mt-2 text-sm text-slate-600">Check the address, or go back to the dashboard.</p>
        <Link href="/" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:underline">
          Go to the dashboard
        </Link>
      </div>
    </main>
  );
}
