// RFC 6570 URI Template expansion (levels 1-4, without the ":n" prefix modifier), enough for the
// REST entry point's templates: "{station_id}", "{?start,end,units}", "{?station*,units}".
// The same rules as the Python client's clients/_hal.py. Undefined (null, undefined, empty
// list) variables are left out.

const OPERATORS = {
  "": { first: "", sep: ",", named: false, ifEmpty: "", reserved: false },
  "+": { first: "", sep: ",", named: false, ifEmpty: "", reserved: true },
  "#": { first: "#", sep: ",", named: false, ifEmpty: "", reserved: true },
  ".": { first: ".", sep: ".", named: false, ifEmpty: "", reserved: false },
  "/": { first: "/", sep: "/", named: false, ifEmpty: "", reserved: false },
  ";": { first: ";", sep: ";", named: true, ifEmpty: "", reserved: false },
  "?": { first: "?", sep: "&", named: true, ifEmpty: "=", reserved: false },
  "&": { first: "&", sep: "&", named: true, ifEmpty: "=", reserved: false },
};

function encode(text, reserved) {
  const unreserved = encodeURIComponent(String(text))
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return reserved ? encodeURI(String(text)) : unreserved;
}

function named(op, name, encoded) {
  return encoded ? `${name}=${encoded}` : name + op.ifEmpty;
}

function expandVariable(op, name, value, explode) {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    if (value.length === 0) return null;
    const items = value.map((item) => encode(item, op.reserved));
    if (explode) return items.map((item) => (op.named ? named(op, name, item) : item)).join(op.sep);
    return op.named ? named(op, name, items.join(",")) : items.join(",");
  }
  const encoded = encode(value, op.reserved);
  return op.named ? named(op, name, encoded) : encoded;
}

/** The URI `template` names with `values`. */
export function expand(template, values = {}) {
  return template.replace(/\{([^{}]*)\}/g, (_, expression) => {
    const opChar = expression && "+#./;?&".includes(expression[0]) ? expression[0] : "";
    const op = OPERATORS[opChar];
    const parts = [];
    for (const spec of expression.slice(opChar.length).split(",")) {
      const explode = spec.endsWith("*");
      const name = explode ? spec.slice(0, -1) : spec;
      const expanded = expandVariable(op, name, values[name], explode);
      if (expanded !== null) parts.push(expanded);
    }
    return parts.length ? op.first + parts.join(op.sep) : "";
  });
}
