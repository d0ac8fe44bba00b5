// The six note types every new Anki collection starts with, in the legacy
// (schema 11) JSON form a notetype has on the wire and in `col.models`. A new
// user's collection is created on the server (docs/protocol/collection-sync.md §5.3), and a
// client may download it as it is, so these must be what Anki itself would
// create: names, fields, templates, styling and card requirements as in the
// reference's stock definitions (rslib/src/notetype/stock.rs,
// rslib/src/image_occlusion/notetype.rs, ftl/core/notetypes.ftl, English).

import { randomInt } from 'node:crypto';

/** A field in legacy JSON form (a type alias, so that it is a JsonObject for storage/objects). */
export type StockField = {
  name: string;
  ord: number;
  sticky: boolean;
  rtl: boolean;
  font: string;
  size: number;
  description: string;
  plainText: boolean;
  collapsed: boolean;
  excludeFromSearch: boolean;
  id: number;
  tag: number | null;
  preventDeletion: boolean;
};

/** A template in legacy JSON form. */
export type StockTemplate = {
  name: string;
  ord: number;
  qfmt: string;
  afmt: string;
  bqfmt: string;
  bafmt: string;
  did: number | null;
  bfont: string;
  bsize: number;
  id: number;
};

/** `[card ord, "any" | "all" | "none", field ords]`: which fields must be non-empty for the card to exist. */
export type StockCardRequirement = [number, 'any' | 'all' | 'none', number[]];

/** A notetype in legacy JSON form (docs/protocol/collection-sync.md §6.3.1). */
export type StockNotetype = {
  id: number;
  name: string;
  /** 0 standard, 1 cloze. */
  type: 0 | 1;
  mod: number;
  usn: number;
  sortf: number;
  did: number | null;
  tmpls: StockTemplate[];
  flds: StockField[];
  css: string;
  latexPre: string;
  latexPost: string;
  latexsvg: boolean;
  req: StockCardRequirement[];
  originalStockKind: number;
};

/** anki.notetypes.StockNotetype.OriginalStockKind */
export const OriginalStockKind = {
  Basic: 1,
  BasicAndReversed: 2,
  BasicOptionalReversed: 3,
  BasicTyping: 4,
  Cloze: 5,
  ImageOcclusion: 6,
} as const;

const DEFAULT_CSS = `.card {
    font-family: arial;
    font-size: 20px;
    line-height: 1.5;
    text-align: center;
    color: black;
    background-color: white;
}
`;

const CLOZE_CSS = `.cloze {
    font-weight: bold;
    color: blue;
}
.nightMode .cloze {
    color: lightblue;
}
`;

const IMAGE_OCCLUSION_CSS = `#image-occlusion-canvas {
    --inactive-shape-color: #ffeba2;
    --active-shape-color: #ff8e8e;
    --inactive-shape-border: 1px #212121;
    --active-shape-border: 1px #212121;
    --highlight-shape-color: #ff8e8e00;
    --highlight-shape-border: 1px #ff8e8e;
}

${DEFAULT_CSS}`;

const LATEX_PRE = `\\documentclass[12pt]{article}
\\special{papersize=3in,5in}
\\usepackage[utf8]{inputenc}
\\usepackage{amssymb,amsmath}
\\pagestyle{empty}
\\setlength{\\parindent}{0in}
\\begin{document}
`;

const LATEX_POST = '\\end{document}';

/**
 * Field and template ids identify them across renames when notetypes are merged.
 * Anki draws them from the whole i64 range; staying within JavaScript's safe
 * integers keeps them exact through JSON.parse/stringify anywhere in this server.
 */
function randomId(): number {
  const magnitude = randomInt(1, 2 ** 48) * 32 + randomInt(0, 32); // up to 2^53 - 1
  return randomInt(0, 2) === 0 ? magnitude : -magnitude;
}

const ref = (field: string): string => `{{${field}}}`;

function field(name: string, ord: number, tag: number | null = null, preventDeletion = false): StockField {
  return {
    name,
    ord,
    sticky: false,
    rtl: false,
    font: 'Arial',
    size: 20,
    description: '',
    plainText: false,
    collapsed: false,
    excludeFromSearch: false,
    id: randomId(),
    tag,
    preventDeletion,
  };
}

function template(name: string, ord: number, qfmt: string, afmt: string): StockTemplate {
  return { name, ord, qfmt, afmt, bqfmt: '', bafmt: '', did: null, bfont: '', bsize: 0, id: randomId() };
}

function notetype(
  id: number,
  name: string,
  kind: number,
  flds: StockField[],
  tmpls: StockTemplate[],
  req: StockCardRequirement[],
  cloze = false,
  css = cloze ? DEFAULT_CSS + CLOZE_CSS : DEFAULT_CSS,
): StockNotetype {
  return {
    id,
    name,
    type: cloze ? 1 : 0,
    mod: 0,
    usn: 0,
    sortf: 0,
    did: null,
    tmpls,
    flds,
    css,
    latexPre: LATEX_PRE,
    latexPost: LATEX_POST,
    latexsvg: false,
    req,
    originalStockKind: kind,
  };
}

const FRONT = 'Front';
const BACK = 'Back';
const ADD_REVERSE = 'Add Reverse';
const TEXT = 'Text';
const BACK_EXTRA = 'Back Extra';

const answerWith = (field: string): string => `${ref('FrontSide')}\n\n<hr id=answer>\n\n${ref(field)}`;

// The `req` lists below are what Anki computes from these exact templates
// (rslib/src/notetype/cardgen.rs): a card exists when any (or all) of the listed
// fields are non-empty. They are fixed because the templates are.

function basic(id: number): StockNotetype {
  return notetype(
    id,
    'Basic',
    OriginalStockKind.Basic,
    [field(FRONT, 0), field(BACK, 1)],
    [template('Card 1', 0, ref(FRONT), answerWith(BACK))],
    [[0, 'any', [0]]],
  );
}

function basicAndReversed(id: number): StockNotetype {
  return notetype(
    id,
    'Basic (and reversed card)',
    OriginalStockKind.BasicAndReversed,
    [field(FRONT, 0), field(BACK, 1)],
    [template('Card 1', 0, ref(FRONT), answerWith(BACK)), template('Card 2', 1, ref(BACK), answerWith(FRONT))],
    [
      [0, 'any', [0]],
      [1, 'any', [1]],
    ],
  );
}

function basicOptionalReversed(id: number): StockNotetype {
  return notetype(
    id,
    'Basic (optional reversed card)',
    OriginalStockKind.BasicOptionalReversed,
    [field(FRONT, 0), field(BACK, 1), field(ADD_REVERSE, 2)],
    [
      template('Card 1', 0, ref(FRONT), answerWith(BACK)),
      template('Card 2', 1, `{{#${ADD_REVERSE}}}${ref(BACK)}{{/${ADD_REVERSE}}}`, answerWith(FRONT)),
    ],
    [
      [0, 'any', [0]],
      [1, 'all', [1, 2]],
    ],
  );
}

function basicTyping(id: number): StockNotetype {
  return notetype(
    id,
    'Basic (type in the answer)',
    OriginalStockKind.BasicTyping,
    [field(FRONT, 0), field(BACK, 1)],
    [template('Card 1', 0, `${ref(FRONT)}\n\n{{type:${BACK}}}`, `${ref(FRONT)}\n\n<hr id=answer>\n\n{{type:${BACK}}}`)],
    [[0, 'any', [0, 1]]],
  );
}

/** anki.notetypes.ClozeField */
const ClozeField = { Text: 0, BackExtra: 1 } as const;

function cloze(id: number): StockNotetype {
  const qfmt = `{{cloze:${TEXT}}}`;
  return notetype(
    id,
    'Cloze',
    OriginalStockKind.Cloze,
    [field(TEXT, 0, ClozeField.Text, true), field(BACK_EXTRA, 1, ClozeField.BackExtra)],
    [template('Cloze', 0, qfmt, `${qfmt}<br>\n${ref(BACK_EXTRA)}`)],
    [[0, 'any', [0]]],
    true,
  );
}

/** anki.notetypes.ImageOcclusionField */
const ImageOcclusionField = { Occlusions: 0, Image: 1, Header: 2, BackExtra: 3, Comments: 4 } as const;

function imageOcclusion(id: number): StockNotetype {
  const occlusion = 'Occlusion';
  const image = 'Image';
  const header = 'Header';
  const errorLoading = 'Error loading image occlusion. Is your Anki version up to date?';
  const qfmt = `{{#${header}}}<div>{{${header}}}</div>{{/${header}}}
<div style="display: none">{{cloze:${occlusion}}}</div>
<div id="err"></div>
<div id="image-occlusion-container">
    {{${image}}}
    <canvas id="image-occlusion-canvas"></canvas>
</div>
<script>
try {
    anki.imageOcclusion.setup();
} catch (exc) {
    document.getElementById("err").innerHTML = \`${errorLoading}<br><br>\${exc}\`;
}
</script>
`;
  const afmt = `${qfmt}
<div><button id="toggle">Toggle Masks</button></div>
{{#${BACK_EXTRA}}}<div>{{${BACK_EXTRA}}}</div>{{/${BACK_EXTRA}}}
`;
  return notetype(
    id,
    'Image Occlusion',
    OriginalStockKind.ImageOcclusion,
    [
      field(occlusion, 0, ImageOcclusionField.Occlusions, true),
      field(image, 1, ImageOcclusionField.Image, true),
      field(header, 2, ImageOcclusionField.Header, true),
      field(BACK_EXTRA, 3, ImageOcclusionField.BackExtra, true),
      field('Comments', 4, ImageOcclusionField.Comments, false),
    ],
    [template('Image Occlusion', 0, qfmt, afmt)],
    [[0, 'any', [0, 1, 2]]],
    true,
    IMAGE_OCCLUSION_CSS,
  );
}

/**
 * The stock notetypes in Anki's order (Basic first: it becomes `curModel`),
 * with ids `firstId`, `firstId + 1`, …; Anki uses the creation time in ms.
 */
export function stockNotetypes(firstId: number): StockNotetype[] {
  return [basic, basicAndReversed, basicOptionalReversed, basicTyping, cloze, imageOcclusion].map((make, index) => make(firstId + index));
}
