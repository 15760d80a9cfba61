// A DOM document for Observable Plot in Node.
import { JSDOM } from 'jsdom';

let doc: Document | null = null;
export function nodeDocument(): Document {
  doc ??= new JSDOM('<!doctype html><html><body></body></html>').window.document;
  return doc;
}
