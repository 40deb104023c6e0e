// Small DOM helpers. Elements are built with createElement and textContent only: nothing an
// API returned is ever parsed as HTML, and no style attribute is written (the CSP allows
// styles from our own stylesheet only).

/**
 * An element: `el("p", {class: "hint", dataset: {field: "x"}}, "text", child, ...)`.
 * Attributes whose value is null, undefined or false are left out; `true` sets an empty one.
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "dataset") {
      for (const [key, data] of Object.entries(value)) {
        if (data !== null && data !== undefined) element.dataset[key] = String(data);
      }
    } else if (name === "class") {
      element.className = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, ...children);
  return element;
}

/** Appends children: nodes as they are, strings and numbers as text, arrays flattened. */
export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, ...children);
}

/** The one element matching `selector` under `root`; a missing hook is a bug, said loudly. */
export function find(root, selector) {
  const found = root.querySelector(selector);
  if (!found) throw new Error(`the page has no ${selector}`);
  return found;
}
