// What keeps a page from reading well at the current width: the page
// scrolling sideways, content cut off by a box that does not scroll, and boxes
// that scroll sideways. Run by tests/browser/test_accessibility.py.
() => {
  const viewport = window.innerWidth;
  const root = document.documentElement;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim()) {
      name += "." + el.className.trim().split(/\s+/).join(".");
    }
    const text = (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 40);
    return text ? `${name} “${text}”` : name;
  };
  const scrolls = (style) => style.overflowX === "auto" || style.overflowX === "scroll";
  const result = {pageWidth: root.scrollWidth, cutOff: [], scrolling: []};
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (scrolls(style) && el.scrollWidth > el.clientWidth + 1) {
      result.scrolling.push({
        box: describe(el),
        named: el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby"),
        width: el.scrollWidth,
        room: el.clientWidth,
      });
    }
    const rect = el.getBoundingClientRect();
    if (!rect.width || !rect.height || rect.right <= 0) continue; // off screen on purpose
    let box = el.parentElement;
    while (box && box !== root && getComputedStyle(box).overflowX === "visible") {
      box = box.parentElement;
    }
    let left = 0, right = viewport;
    if (box && box !== root) {
      const boxStyle = getComputedStyle(box);
      if (scrolls(boxStyle)) continue; // reachable by scrolling the box
      const boxRect = box.getBoundingClientRect();
      if (boxRect.width <= 1) continue; // visually hidden text
      left = boxRect.left + box.clientLeft;
      right = left + box.clientWidth;
    }
    if (rect.right > right + 1 || rect.left < left - 1) {
      result.cutOff.push(`${describe(el)} spans ${Math.round(rect.left)}–${Math.round(rect.right)}, its box ${Math.round(left)}–${Math.round(right)}`);
    }
  }
  return result;
}
