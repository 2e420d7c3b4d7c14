// Prints the text of a PDF, page by page (pdf.js, Mozilla's PDF reader): the tests read back the
// PDFs the API makes. A child process because pdf.js ships as ES modules only.
import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const data = new Uint8Array(readFileSync(process.argv[2]));
const pdf = await getDocument({ data, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise;
const pages = [];
for (let i = 1; i <= pdf.numPages; i++) {
  const page = await pdf.getPage(i);
  const content = await page.getTextContent();
  pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join(''));
}
process.stdout.write(JSON.stringify({ pages: pdf.numPages, info: (await pdf.getMetadata()).info, text: pages }));
