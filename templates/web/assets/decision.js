// ocoptrace: the decision that recognises a product (number of the
// certificate, number and date of the decision, level, issuer, signer), as
// the officer's page asks for it twice: when recording an evaluation typed
// by hand and when deciding on a scored dossier. One template
// (#decision-fields) made into each form's fields, one body, one map of the
// API's field names to the inputs.
'use strict';

import { todayIso } from '/assets/app.js';

/* The API's names for the decision's fields → the inputs' names. */
export const DECISION_ERRORS = {
  'decision.number': 'decision_number', 'decision.date': 'decision_date', 'decision.level': 'level',
  'decision.issuer': 'issuer', 'decision.signer.title': 'signer_title', 'decision.signer.name': 'signer_name',
  'decision.signer': 'signer_title',
};

/* Who recognises `stars` on `date` (Decision 1489/QĐ-TTg from 2025-07-01). */
export function levelFor(stars, date) {
  if (stars === 5) return 'national';
  return date && date < '2025-07-01' && stars === 3 ? 'district' : 'province';
}

/* Text as typed (NFC), or left out when empty so the API names it. */
export function text(data, name) {
  const value = (data.get(name) ?? '').toString().trim().normalize('NFC');
  return value === '' ? undefined : value;
}

/* { number, decision } as POST /products/{id}/evaluations and
   POST /dossiers/{id}/decision take them. */
export function decisionBody(data) {
  return {
    number: text(data, 'number'),
    decision: {
      number: text(data, 'decision_number'),
      date: text(data, 'decision_date'),
      level: text(data, 'level'),
      issuer: text(data, 'issuer'),
      // "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" is printed on two lines.
      signer: { title: text(data, 'signer_title')?.replace(/\s*\/\s*/g, '\n'), name: text(data, 'signer_name') },
    },
  };
}

/* Puts the decision's fields in FORM (at its [data-decision-fields]), their
   ids starting with PREFIX; the date is today's. The level follows the
   stars given to followStars() until the officer chooses one. */
export function addDecisionFields(form, prefix) {
  const fields = document.querySelector('#decision-fields').content.cloneNode(true);
  for (const node of fields.querySelectorAll('[id], [for], [aria-describedby]')) {
    for (const attribute of ['id', 'for', 'aria-describedby']) {
      const value = node.getAttribute(attribute);
      if (value) node.setAttribute(attribute, value.replace(/^X-/, `${prefix}-`));
    }
  }
  form.querySelector('[data-decision-fields]').replaceWith(fields);
  form.elements.decision_date.value = todayIso();
  let chosenByHand = false;
  form.elements.level.addEventListener('change', () => { chosenByHand = true; });
  return {
    followStars(stars) {
      if (!chosenByHand) form.elements.level.value = levelFor(stars, form.elements.decision_date.value);
    },
  };
}
