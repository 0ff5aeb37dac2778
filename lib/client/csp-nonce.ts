/**
 * The page CSP allows <style> elements only with the request's nonce. Radix (its scroll lock) and
 * sonner create theirs with `document.createElement("style")` and no nonce, so style elements made
 * here get the nonce the framework put on the page's scripts (readable as `script.nonce`). Scripts
 * made here (chunks loaded on demand) get it too: 'strict-dynamic' admits them anyway, and so every
 * script on the page carries the page's nonce.
 * Imported for its effect, before sonner, by components/ui/sonner.tsx and app/providers.tsx.
 */
function pageNonce(): string | undefined {
  for (const script of document.querySelectorAll<HTMLScriptElement>("script[nonce]")) {
    if (script.nonce) return script.nonce;
  }
  return undefined;
}

const MARK = Symbol.for("handoff.cspNonce");

function install() {
  if (typeof document === "undefined") return;
  const doc = Document.prototype as Document & { [MARK]?: true };
  if (doc[MARK]) return;
  const nonce = pageNonce();
  if (!nonce) return;
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function createElement(
    this: Document,
    tagName: string,
    options?: ElementCreationOptions,
  ) {
    const element = create.call(this, tagName, options);
    if ((element instanceof HTMLStyleElement || element instanceof HTMLScriptElement) && !element.nonce) {
      element.nonce = nonce;
    }
    return element;
  } as typeof Document.prototype.createElement;
  doc[MARK] = true;
}

install();
