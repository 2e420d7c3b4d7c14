import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import { BASIS_LABELS, CATEGORY_LABELS } from '../../common/labels';
import type { Locale } from '../../common/locale';
import type { DisclosureCategory } from '../../common/disclosure-category';
import type { SharingBasis } from '../../common/sharing-basis';
import { REQUEST_WORDS } from '../../notifications/email/templates';
import type { RequestKind } from '../../requests/request-kinds';
import { Turns } from '../../common/turns';
import type { ChunkSink } from './chunk-sink';
import type { ExportReader } from './export-data';
import { FREQUENCY_WORDS, NOTIFICATION_WORDS, PDF_TEXT, STATUS_WORDS } from './pdf-texts';

// DejaVu covers the Latin, Greek and Cyrillic names a learner may have; PDF's standard fonts
// cover only Windows-1252.
const FONTS = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const ZONE = 'Europe/Amsterdam';

type Row = (string | null | undefined)[];

/**
 * Table rows drawn per turn of the event loop. A row is ~0.1–0.2 ms of pdfkit's layout on the
 * reference machine; a page of 1,000 ledger entries drawn in one go blocked the API process, where
 * exports run by default, for up to ~0.7 s (docs/benchmarks.md, "Round 3, eleventh session").
 */
export const ROWS_PER_TURN = 25;

/**
 * The printable export (docs/learner-rights.md, "Export"): a cover page, then one section per kind
 * of data, as tables, in the learner's language, dates on the provider's calendar, names rather
 * than ids. pdfkit writes each finished page to the sink as the next is drawn, and the
 * long sections are read a page of rows at a time, so a history of any length fits in bounded
 * memory. Rows are drawn with pdfkit's text primitives: its table module took minutes for
 * 10,000 rows (docs/benchmarks.md).
 */
export async function writePdf(reader: ExportReader, sink: ChunkSink, meta: { exportId: string; generatedAt: Date; locale: Locale; controller: string }): Promise<void> {
  const { locale } = meta;
  const t = PDF_TEXT[locale];
  const c = t.cols;
  const dateFmt = new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeZone: ZONE });
  const timeFmt = new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: ZONE });
  const day = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? dateFmt.format(new Date(`${v}T12:00:00Z`)) : dateFmt.format(new Date(v as string)));
  const moment = (v: unknown) => (v === null || v === undefined ? '' : timeFmt.format(new Date(v as string)));
  const status = (s: unknown) => STATUS_WORDS[locale][s as string] ?? String(s);
  const categories = (cs: unknown) => (cs as DisclosureCategory[]).map((x) => CATEGORY_LABELS[locale][x] ?? x).join(', ');
  const basis = (b: unknown) => BASIS_LABELS[locale][b as SharingBasis] ?? String(b);
  const name = (o: unknown) => (o ? (o as { name?: string; title?: string }).name ?? (o as { title?: string }).title ?? '' : '');

  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 50, right: 50 },
    info: { Title: t.title(meta.controller), Author: meta.controller, Subject: t.subtitle, CreationDate: meta.generatedAt },
    lang: locale,
    displayTitle: true,
  });
  doc.registerFont('body', join(FONTS, 'DejaVuSans.ttf'));
  doc.registerFont('bold', join(FONTS, 'DejaVuSans-Bold.ttf'));
  doc.on('data', (chunk: Buffer) => sink.take(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const turns = new Turns(ROWS_PER_TURN);
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const left = doc.page.margins.left;

  const learner = await reader.learner();
  // Cover page: who, when, what this is.
  doc.font('bold').fontSize(22).text(t.title(meta.controller), { width });
  doc.moveDown(0.5).font('body').fontSize(11).fillColor('#444444').text(t.subtitle, { width }).fillColor('black');
  doc.moveDown(2).fontSize(11);
  for (const [label, value] of [
    [t.madeFor, `${learner.name as string} (${learner.email as string})`],
    [t.madeOn, moment(meta.generatedAt)],
    [t.exportId, meta.exportId],
  ]) {
    doc.font('bold').text(`${label}: `, { continued: true }).font('body').text(value);
  }
  doc.moveDown(1.5).text(t.about(meta.controller), { width, align: 'left' });
  doc.moveDown().text(t.ledger, { width });
  doc.moveDown(1.5).font('bold').text(t.contents);
  doc.font('body');
  for (const s of Object.values(t.sections)) doc.text(`• ${s}`);

  // Each page after the cover says whose copy it is and of when (a printed page gets separated).
  let pageNo = 1;
  doc.on('pageAdded', () => {
    pageNo++;
    const { bottom: margin } = doc.page.margins;
    doc.page.margins.bottom = 0;
    doc.font('body').fontSize(7.5).fillColor('#666666');
    doc.text(`${meta.controller} · ${learner.name as string} · ${day(meta.generatedAt)} · ${pageNo}`, left, doc.page.height - margin + 20, { width, align: 'center', lineBreak: false });
    doc.fillColor('black').fontSize(8.5);
    doc.page.margins.bottom = margin;
    doc.x = left;
    doc.y = doc.page.margins.top;
  });
  // Sections follow each other; a heading never ends a page on its own.
  let first = true;
  const heading = (title: string) => {
    if (first || doc.y > bottom() - 140) doc.addPage();
    else doc.moveDown(1.5);
    first = false;
    doc.font('bold').fontSize(14).text(title, left, doc.y, { width });
    doc.moveDown(0.5).fontSize(8.5).font('body');
  };
  /** A table of columns (fractions of the width); the header row repeats on every new page. */
  const table = (headers: string[], fractions: number[]) => {
    const widths = fractions.map((f) => f * width);
    const pad = 3;
    const draw = (cells: Row, bold: boolean) => {
      doc.font(bold ? 'bold' : 'body').fontSize(8.5);
      const texts = cells.map((x) => x ?? '');
      const h = Math.max(...texts.map((x, i) => doc.heightOfString(x, { width: widths[i] - 2 * pad }))) + 2 * pad;
      if (doc.y + h > bottom()) {
        doc.addPage();
        if (!bold) draw(headers, true);
      }
      const y = doc.y;
      if (bold) doc.rect(left, y, width, h).fill('#ececec').fillColor('black');
      let x = left;
      texts.forEach((text, i) => {
        doc.text(text, x + pad, y + pad, { width: widths[i] - 2 * pad });
        x += widths[i];
      });
      doc.moveTo(left, y + h).lineTo(left + width, y + h).lineWidth(0.4).strokeColor('#9a9a9a').stroke();
      doc.x = left;
      doc.y = y + h;
    };
    draw(headers, true);
    let rows = 0;
    return {
      /** Draws a row; every ROWS_PER_TURN rows of the export, after a turn of the event loop. */
      row: (cells: Row): Promise<void> | undefined => {
        draw(cells, false);
        rows++;
        return turns.step();
      },
      end: () => {
        if (rows === 0) doc.font('body').text(t.none, left, doc.y + 4);
        doc.moveDown();
      },
    };
  };
  // Hand what pdfkit has produced so far to the database: memory stays at about a page.
  const flush = () => sink.flush();

  heading(t.sections.profile);
  const profile = table(['', ''], [0.3, 0.7]);
  await profile.row([t.profile.name, learner.name as string]);
  await profile.row([t.profile.email, learner.email as string]);
  await profile.row([t.profile.locale, learner.locale === 'nl' ? 'Nederlands' : 'English']);
  await profile.row([t.profile.frequency, FREQUENCY_WORDS[locale][learner.notificationFrequency as string] ?? String(learner.notificationFrequency)]);
  await profile.row([t.profile.created, day(learner.createdAt)]);
  await profile.row([t.profile.id, learner.id as string]);
  profile.end();

  heading(t.sections.employments);
  const emp = table([c.employer, c.employeeNumber, c.from, c.until], [0.4, 0.2, 0.2, 0.2]);
  for (const e of await reader.employments()) await emp.row([name(e.employer), e.employeeNumber as string, day(e.startedOn), day(e.endedOn)]);
  emp.end();

  const enrolments = await reader.enrolments();
  heading(t.sections.enrolments);
  const enr = table([c.course, c.status, c.enrolled, c.progress, c.time, c.completed], [0.3, 0.12, 0.16, 0.12, 0.13, 0.17]);
  for (const e of enrolments) await enr.row([name(e.course), status(e.status), day(e.enrolledAt), `${e.progressPercent as number}%`, `${e.timeSpentMinutes as number} min`, day(e.completedAt)]);
  enr.end();

  heading(t.sections.results);
  const res = table([c.course, c.assessment, c.date, c.score, c.passed], [0.3, 0.27, 0.18, 0.12, 0.13]);
  for (const e of enrolments) {
    for (const r of e.assessmentResults as Record<string, unknown>[]) await res.row([name(e.course), r.assessmentName as string, day(r.attemptedAt), `${r.score as number} / ${r.maxScore as number}`, r.passed ? t.yes : t.no]);
  }
  res.end();

  heading(t.sections.certificates);
  const cer = table([c.course, c.number, c.issued, c.expires, c.points], [0.32, 0.2, 0.17, 0.17, 0.14]);
  for (const e of enrolments) {
    for (const x of e.certificates as Record<string, unknown>[]) await cer.row([name(e.course), x.number as string, day(x.issuedAt), day(x.expiresAt), typeof x.accreditationPoints === 'number' ? String(x.accreditationPoints) : '']);
  }
  cer.end();
  await flush();

  heading(t.sections.agreements);
  const agr = table([c.recipient, c.basis, c.data, c.valid, c.version, c.reference, c.state], [0.16, 0.18, 0.18, 0.15, 0.07, 0.14, 0.12]);
  for (const a of await reader.agreements()) {
    const state = a.revokedAt ? `${c.revoked} ${day(a.revokedAt)}` : a.supersededAt ? `${c.superseded} ${day(a.supersededAt)}` : c.current;
    await agr.row([
      `${name(a.recipient)} (${a.covers === 'YOU' ? c.forYou : c.forEmployees})`,
      basis(a.basis),
      categories(a.categories),
      `${day(a.validFrom)} – ${a.validUntil ? day(a.validUntil) : '…'}`,
      String(a.version),
      a.reference as string,
      state,
    ]);
  }
  agr.end();

  heading(t.sections.objections);
  const obj = table([c.recipient, c.date, c.grounds, c.lifted], [0.3, 0.2, 0.3, 0.2]);
  for (const o of await reader.objections()) await obj.row([name(o.recipient), day(o.objectedAt), (o.grounds as string | null) ?? '', day(o.liftedAt)]);
  obj.end();

  heading(t.sections.restrictions);
  const rst = table([c.date, c.reason, c.lifted], [0.25, 0.5, 0.25]);
  for (const r of await reader.restrictions()) await rst.row([day(r.requestedAt), (r.reason as string | null) ?? '', day(r.liftedAt)]);
  rst.end();

  heading(t.sections.disclosures);
  const dis = table([c.date, c.recipient, c.course, c.data, c.basis], [0.17, 0.23, 0.21, 0.18, 0.21]);
  for await (const page of reader.disclosures()) {
    for (const d of page) {
      if (d.purged) await dis.row([moment(d.disclosedAt), d.recipient.name, '', t.purged, '']);
      for (const item of d.items) {
        const onBehalfOf = item.categories.find((x) => x.onBehalfOf)?.onBehalfOf;
        await dis.row([
          moment(d.disclosedAt),
          onBehalfOf ? `${d.recipient.name} (${c.onBehalfOf} ${onBehalfOf.name})` : d.recipient.name,
          item.course.name,
          (d.kind === 'ACCESS_ENDED' ? `${t.toldToDelete}: ` : '') + item.categories.map((x) => CATEGORY_LABELS[locale][x.category as DisclosureCategory] ?? x.category).join(', '),
          [...new Set(item.categories.map((x) => basis(x.basis)))].join(', '),
        ]);
      }
    }
    await flush();
  }
  dis.end();

  heading(t.sections.notifications);
  const not = table([c.date, c.kind, c.read, c.emailed], [0.3, 0.3, 0.2, 0.2]);
  for await (const page of reader.notifications()) {
    for (const n of page) await not.row([moment(n.createdAt), NOTIFICATION_WORDS[locale][n.kind as string] ?? String(n.kind), day(n.readAt), day(n.emailedAt)]);
    await flush();
  }
  not.end();

  heading(t.sections.requests);
  const req = table([c.received, c.kind, c.status, c.due, c.answered], [0.2, 0.32, 0.14, 0.17, 0.17]);
  for (const r of await reader.requests()) await req.row([day(r.receivedAt), REQUEST_WORDS[locale][r.kind as RequestKind], status(r.status), day(r.dueAt), day(r.answeredAt)]);
  req.end();

  heading(t.sections.changes);
  const chg = table([c.date, c.field, c.by], [0.3, 0.35, 0.35]);
  const who = (x: Record<string, unknown>) => (x.changedBy === 'LEARNER' ? c.you : x.changedBy === 'EMPLOYER' ? name(x.changedByOrganisation) : meta.controller);
  for (const x of await reader.profileChanges()) await chg.row([moment(x.changedAt), `${String(x.record).toLowerCase()}.${x.field as string}`, who(x)]);
  chg.end();

  heading(t.sections.exports);
  const exp = table([c.date, c.status, c.expires], [0.4, 0.3, 0.3]);
  for (const x of await reader.exports()) await exp.row([moment(x.createdAt), status(x.status), day(x.expiresAt)]);
  exp.end();

  heading(t.sections.checkpoint);
  const checkpoint = await reader.ledgerCheckpoint();
  if (checkpoint) {
    const cp = table(['', ''], [0.25, 0.75]);
    await cp.row([c.date, moment(checkpoint.createdAt)]);
    await cp.row([c.kid, checkpoint.kid as string]);
    await cp.row([c.chains, String(Object.keys(checkpoint.heads as object).length)]);
    await cp.row([c.signature, checkpoint.signature as string]);
    cp.end();
  } else {
    doc.text(t.none);
  }

  doc.end();
  await ended;
}
