// What a visitor can see of each link-like element of a document (called from render.py).
//
// One function, three modes:
//   {mode: "scan", limit}            every a/area/img/iframe/frame/embed/stylesheet link, judged
//   {mode: "element", element}       one element (a frame's <iframe>), judged, with its origin
//   {mode: "outline", selector|rect, label, hiddenLabel}   draw the red evidence outline
// Coordinates returned are document coordinates (CSS px from the top-left of the page).
(opts) => {
  const doc = document;
  const win = window;
  const root = doc.documentElement;
  const body = doc.body;
  const sx = win.scrollX;
  const sy = win.scrollY;
  const viewW = root.clientWidth || win.innerWidth;
  const styles = new Map();
  const style = (el) => {
    let s = styles.get(el);
    if (!s) {
      s = win.getComputedStyle(el);
      styles.set(el, s);
    }
    return s;
  };
  const up = function* (el) {
    for (let a = el; a && a.nodeType === 1; a = a.parentElement) yield a;
  };
  const REPLACED = new Set(["img", "svg", "canvas", "video", "iframe", "frame", "embed", "object",
    "input", "picture", "select", "textarea", "button"]);
  // Content pushed further right than this is not part of any page layout a person scrolls to.
  const FAR_RIGHT = Math.max(3000, 2 * viewW);
  const noHScroll = [root, body].some((e) => e && ["hidden", "clip"].includes(style(e).overflowX));

  // ---- geometry -------------------------------------------------------------------------
  const textRects = (node) => {
    const range = doc.createRange();
    range.selectNodeContents(node);
    return Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0);
  };
  const textNodes = (el) => {
    const out = [];
    const walker = doc.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n && out.length < 50; n = walker.nextNode()) {
      if (n.data.trim()) out.push(n);
    }
    return out;
  };
  const union = (rects) => {
    if (!rects.length) return null;
    let l = Infinity, t = Infinity, r = -Infinity, b = -Infinity;
    for (const x of rects) {
      l = Math.min(l, x.left); t = Math.min(t, x.top); r = Math.max(r, x.right); b = Math.max(b, x.bottom);
    }
    return {left: l, top: t, right: r, bottom: b, width: r - l, height: b - t};
  };
  // The union of everything the element paints: its own boxes, its descendants' and its text.
  const contentBox = (el, keep = () => true) => {
    const rects = [];
    const add = (list) => { for (const r of list) if (r.width > 0 && r.height > 0 && keep(r)) rects.push(r); };
    add(el.getClientRects());
    const walker = doc.createTreeWalker(el, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    let i = 0;
    for (let n = walker.nextNode(); n && i < 200; n = walker.nextNode(), i++) {
      if (n.nodeType === Node.TEXT_NODE) {
        if (n.data.trim()) add(textRects(n));
      } else {
        add(n.getClientRects());
      }
    }
    return union(rects);
  };
  const ownBox = (el) => (el.getClientRects().length ? el.getBoundingClientRect() : null);
  const toDoc = (r) => r && [r.left + sx, r.top + sy, r.width, r.height].map((v) => Math.round(v * 10) / 10);
  // Outside the area a visitor can scroll to: above or left of the page, or far to the right.
  const outside = (r) => {
    const left = r.left + sx, right = r.right + sx, bottom = r.bottom + sy;
    return right <= 0 || bottom <= 0 || left >= FAR_RIGHT || (noHScroll && left >= viewW);
  };

  // ---- colours --------------------------------------------------------------------------
  const parseColour = (value) => {
    const m = /rgba?\(([^)]+)\)/.exec(value || "");
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(parseFloat);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = (c) => {
    const ch = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
  };
  // WCAG contrast ratio; 1.0 is identical colours, 21 black on white.
  const contrast = (a, b) => {
    const la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  };
  // Below this ratio text cannot be told from its background (#fefefe on white is 1.01).
  const INVISIBLE_CONTRAST = 1.1;
  const WHITE = {r: 255, g: 255, b: 255, a: 1};
  // Background behind an element from its ancestors; null when an image makes it unknowable.
  const compose = (elements) => {
    const layers = [];
    for (const e of elements) {
      if (REPLACED.has(e.localName) || e instanceof SVGElement) return null;
      const s = style(e);
      if (s.backgroundImage && s.backgroundImage !== "none") return null;
      const c = parseColour(s.backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
    return layers.reverse().reduce((acc, layer) => over(layer, acc), WHITE);
  };
  const inkOf = (el) => {
    const s = style(el);
    if (s.textShadow && s.textShadow !== "none") return null;
    if (parseFloat(s.webkitTextStrokeWidth) > 0) return null;
    return parseColour(s.webkitTextFillColor) || parseColour(s.color);
  };
  const invisibleInk = (ink, bg) => ink.a < 0.1 || contrast(over(ink, bg), bg) < INVISIBLE_CONTRAST;
  // First guess from the DOM ancestors; confirmed later against what is really painted below.
  const sameColourGuess = (el) => {
    const nodes = textNodes(el);
    if (!nodes.length) return false;
    return nodes.every((n) => {
      const p = n.parentElement;
      const ink = inkOf(p);
      if (!ink) return false;
      const bg = compose(up(p));
      return bg !== null && invisibleInk(ink, bg);
    });
  };
  // A link positioned over a picture or another block is judged against what lies under its
  // text, not its DOM parent: white text on a banner image is visible.
  const sameColourConfirmed = (el) => {
    try {
      return textNodes(el).every(paintedInvisible);
    } finally {
      win.scrollTo(sx, sy);
    }
  };
  const paintedInvisible = (n) => {
    const r = textRects(n)[0];
    if (!r) return true;
    const cx = r.left + win.scrollX + r.width / 2, cy = r.top + win.scrollY + r.height / 2;
    win.scrollTo(cx - win.innerWidth / 2, cy - win.innerHeight / 2);
    const px = cx - win.scrollX, py = cy - win.scrollY;
    if (px < 0 || py < 0 || px >= win.innerWidth || py >= win.innerHeight) return true;
    const p = n.parentElement;
    const stack = doc.elementsFromPoint(px, py);
    const start = stack.findIndex((e) => e === p || e.contains(p) || !p.contains(e));
    const ink = inkOf(p);
    const bg = start < 0 ? null : compose(stack.slice(start));
    return Boolean(ink) && bg !== null && invisibleInk(ink, bg);
  };

  // ---- hiding techniques ----------------------------------------------------------------
  const lengthOf = (token, size) => {
    if (!token) return 0;
    if (token.endsWith("%")) return (parseFloat(token) / 100) * size;
    return parseFloat(token) || 0;
  };
  const emptyClipPath = (value, r) => {
    const m = /^(inset|circle|ellipse|polygon)\((.*)\)$/.exec(value.trim());
    if (!m) return false;
    const args = m[2].split(/\s+(?:round|at)\s+/)[0];
    if (m[1] === "inset") {
      const t = args.split(/\s+/);
      const top = lengthOf(t[0], r.height), right = lengthOf(t[1] || t[0], r.width);
      const bottom = lengthOf(t[2] || t[0], r.height), left = lengthOf(t[3] || t[1] || t[0], r.width);
      return top + bottom >= r.height - 1 || left + right >= r.width - 1;
    }
    if (m[1] === "circle") return lengthOf(args.split(/\s+/)[0], Math.min(r.width, r.height)) <= 0.5;
    if (m[1] === "ellipse") {
      const t = args.split(/\s+/);
      return lengthOf(t[0], r.width) <= 0.5 || lengthOf(t[1], r.height) <= 0.5;
    }
    const pts = m[2].replace(/^\s*(nonzero|evenodd)\s*,/, "").split(",").map((p) => {
      const t = p.trim().split(/\s+/);
      return [lengthOf(t[0], r.width), lengthOf(t[1], r.height)];
    });
    let area = 0;
    for (let i = 0; i < pts.length; i++) {
      const [x1, y1] = pts[i], [x2, y2] = pts[(i + 1) % pts.length];
      area += x1 * y2 - x2 * y1;
    }
    return Math.abs(area) / 2 <= 1;
  };
  const clipped = (el) => {
    const s = style(el);
    const r = el.getBoundingClientRect();
    if ((s.position === "absolute" || s.position === "fixed") && s.clip && s.clip !== "auto") {
      const m = /rect\(([^)]*)\)/.exec(s.clip);
      if (m) {
        const v = m[1].split(/[\s,]+/).filter(Boolean).map(parseFloat);
        const top = isNaN(v[0]) ? 0 : v[0], right = isNaN(v[1]) ? r.width : v[1];
        const bottom = isNaN(v[2]) ? r.height : v[2], left = isNaN(v[3]) ? 0 : v[3];
        if (right - left <= 1 || bottom - top <= 1) return true;
      }
    }
    return Boolean(s.clipPath && s.clipPath !== "none" && emptyClipPath(s.clipPath, r));
  };
  // An ancestor (or the element) that clips its overflow and is itself at most 1px wide or tall.
  const zeroSizeClipper = (el) => {
    for (const a of up(el)) {
      if (a === body || a === root) return false;
      const s = style(a);
      const r = a.getBoundingClientRect();
      if ((s.overflowX !== "visible" && r.width <= 1) || (s.overflowY !== "visible" && r.height <= 1)) return true;
    }
    return false;
  };
  const indented = (el) => {
    for (const a of up(el)) if (parseFloat(style(a).textIndent) <= -100) return true;
    return false;
  };
  // Pictures, form controls or background images a visitor sees even when the text is hidden.
  const hasPicture = (el) => {
    const shows = (e) => {
      const r = e.getBoundingClientRect();
      return r.width * r.height > 4 && !outside(r);
    };
    const all = [el, ...el.querySelectorAll("*")].slice(0, 200);
    return all.some((e) => (REPLACED.has(e.localName) && shows(e))
      || (style(e).backgroundImage !== "none" && shows(e)));
  };

  // ---- tab panels (crawl/styles.py revealable_panel, the same principle) -----------------
  // An inactive tab panel a visitor reveals with a visible tab control is not hidden: sibling
  // panels of the same tag (one shown), a visible header in the widget with one short label per
  // panel (one more for 更多 at most), and a switch: a label's onclick/onmouseover handler, a link
  // to a panel's #id, role="tab", or the site's own tab markup (a class or id naming tab/qiehuan).
  const TAB_WORDS = /tab|qiehuan|switch/i;
  const SWITCH_EVENTS = ["onclick", "onmouseover", "onmouseenter", "onfocus"];
  const undisplayed = (e) => style(e).display === "none";
  const label = (e) => (e.textContent || "").replace(/\s+/g, " ").trim();
  const switches = (header, labels, panels) => {
    const ids = new Set(panels.map((p) => (p.getAttribute("id") || "").trim()).filter(Boolean).map((i) => `#${i}`));
    for (const l of labels) {
      for (const n of [l, ...l.querySelectorAll("*")]) {
        if (SWITCH_EVENTS.some((e) => n.getAttribute(e)) || n.getAttribute("role") === "tab"
          || ids.has(n.getAttribute("href"))) return true;
      }
    }
    const marks = [header, ...up(panels[0])].slice(0, 5);
    return marks.some((m) => TAB_WORDS.test(`${m.getAttribute("class") || ""} ${m.getAttribute("id") || ""}`));
  };
  // Rules that display something once a visitor acts (crawl/css.py _reveal): `.yqlj:hover ul`,
  // `li:focus-within > ul`, `#p2:target`. The action must be on an ancestor or earlier sibling
  // (a hidden box cannot be pointed at), or be :target on the element itself.
  const ACTION = /:(hover|focus-within|focus|active|target|checked)\b/i;
  const ACTIONS = new RegExp(ACTION.source, "gi");
  let revealRules = null;
  const reveals = () => {
    if (revealRules) return revealRules;
    revealRules = [];
    const walk = (rules) => {
      for (const r of Array.from(rules || [])) {
        if (r.cssRules && !r.selectorText) {
          if (!r.media || win.matchMedia(r.media.mediaText || "all").matches) walk(r.cssRules);
          continue;
        }
        if (!r.selectorText || !r.style || !r.style.display || r.style.display === "none") continue;
        for (const sel of r.selectorText.split(",")) {
          const parts = sel.trim().split(/\s*[\s>+~]\s*/);
          const subject = parts[parts.length - 1];
          const above = parts.slice(0, -1).some((p) => ACTION.test(p));
          if (!above && !/:target\b/i.test(subject)) continue;
          const stripped = sel.replace(ACTIONS, "").trim();
          // :target on the subject alone opens it only through a link to its id on the page.
          try { doc.querySelector(stripped); revealRules.push({sel: stripped, anchor: !above}); }
          catch (e) { /* not a selector */ }
        }
      }
    };
    for (const sheet of Array.from(doc.styleSheets)) {
      try { walk(sheet.cssRules); } catch (e) { /* another origin's stylesheet */ }
    }
    return revealRules;
  };
  const anchored = (el) => Boolean(el.id) && Array.from(doc.querySelectorAll("a[href]"))
    .some((a) => a.getAttribute("href") === `#${el.id}`);
  const revealedByAction = (el) => reveals().some((r) => el.matches(r.sel) && (!r.anchor || anchored(el)));
  const revealablePanel = (panel) => {
    const parent = panel.parentElement;
    if (!parent) return false;
    const panels = Array.from(parent.children).filter((c) => c.localName === panel.localName);
    if (panels.length < 2 || panels.every(undisplayed)) return false;
    const levels = parent.parentElement ? [parent, parent.parentElement] : [parent];
    for (const level of levels) {
      for (let header of Array.from(level.children)) {
        if (panels.includes(header) || header.contains(parent) || undisplayed(header)) continue;
        while (header.children.length === 1 && !undisplayed(header.children[0])) header = header.children[0];
        const labels = Array.from(header.children).filter((c) => !undisplayed(c)
          && label(c).length > 0 && label(c).length <= 20);
        if (labels.length >= panels.length && labels.length <= panels.length + 1
          && switches(header, labels, panels)) return true;
      }
    }
    return false;
  };

  // The technique that hides `el` from a visitor, or null. `boxOnly` skips the text checks
  // (frames, pictures, containers); `moving` skips position checks (content of a <marquee>
  // scrolls through and out of its box all the time).
  const hiddenBy = (el, {boxOnly = false, moving = false} = {}) => {
    let inPanel = false;
    for (const a of up(el)) {
      if (!undisplayed(a)) continue;
      if (!revealablePanel(a) && !revealedByAction(a)) return "display_none";
      inPanel = true;
    }
    // In an inactive tab panel a visitor can switch to: visible, though nothing can be measured.
    if (inPanel) return null;
    // Not rendered for another reason: a closed <details>, content-visibility: hidden.
    if (el.checkVisibility && !el.checkVisibility()) return "display_none";
    const s = style(el);
    if (s.visibility === "hidden" || s.visibility === "collapse") return "visibility_hidden";
    let opacity = 1;
    for (const a of up(el)) opacity *= parseFloat(style(a).opacity);
    if (opacity < 0.05) return "opacity_zero";
    for (const a of up(el)) if (clipped(a)) return "clip";
    const b = boxOnly ? ownBox(el) : contentBox(el);
    if (!b) return "zero_size";
    if (b.width <= 1 || b.height <= 1 || zeroSizeClipper(el)) return "zero_size";
    const picture = REPLACED.has(el.localName) || hasPicture(el);
    if (!moving) {
      if (outside(b)) return !boxOnly && indented(el) ? "text_indent" : "offscreen";
      if (!boxOnly && !picture && indented(el)) {
        const rects = textNodes(el).flatMap(textRects);
        if (rects.length && rects.every(outside)) return "text_indent";
      }
    }
    if (!boxOnly && !picture && sameColourGuess(el)) return "same_colour";
    return null;
  };
  // The verdict for one element, marquee and frame containers included.
  const judge = (el) => {
    const marquee = el.parentElement && el.parentElement.closest("marquee");
    const tag = el.localName;
    const boxOnly = tag !== "a" && tag !== "area";
    let hidden = null;
    let target = el;
    if (tag === "area") {
      const map = el.closest("map");
      target = map && map.name ? doc.querySelector(`img[usemap="#${CSS.escape(map.name)}"]`) : null;
      if (!target) return {hidden_by: "display_none", rect: null};
    }
    if (marquee && hiddenBy(marquee, {boxOnly: true})) hidden = "marquee";
    else hidden = hiddenBy(target, {boxOnly, moving: Boolean(marquee)});
    if (hidden && (tag === "iframe" || tag === "frame")) hidden = "hidden_iframe";
    // A visible link's rectangle leaves out text pushed off the page (an image-replaced logo).
    const rect = (!hidden && contentBox(target, (r) => !outside(r))) || contentBox(target);
    return {hidden_by: hidden, rect: toDoc(rect)};
  };

  // ---- CSS path, the parser's style (crawl/parse.py css_path) ---------------------------
  const NAME_OK = /^-?[A-Za-z_][A-Za-z0-9_-]*$/;
  const step = (el) => {
    const tag = el.localName;
    const id = (el.getAttribute("id") || "").trim();
    if (id && NAME_OK.test(id)) return [`${tag}#${id}`, true];
    let out = tag;
    const classes = (el.getAttribute("class") || "").split(/\s+/).filter((c) => c && NAME_OK.test(c));
    if (classes.length) out += "." + classes[0];
    const parent = el.parentElement;
    if (parent) {
      const same = Array.from(parent.children).filter((c) => c.localName === tag);
      if (same.length > 1) out += `:nth-of-type(${same.indexOf(el) + 1})`;
    }
    return [out, false];
  };
  const cssPath = (el) => {
    const steps = [];
    for (let n = el; n && n.localName !== "body" && n.localName !== "html"; n = n.parentElement) {
      const [s, unique] = step(n);
      steps.push(s);
      if (unique) return steps.reverse().join(" > ");
    }
    steps.push("body");
    return steps.reverse().join(" > ");
  };

  const squash = (t) => (t || "").split(/\s+/).filter(Boolean).join(" ");
  const linkText = (el) => {
    let text = ["a", "area"].includes(el.localName) ? squash(el.textContent) : "";
    if (!text) {
      const img = el.localName === "img" ? el : el.querySelector("img");
      if (img) text = squash(img.getAttribute("alt"));
    }
    return (text || squash(el.getAttribute("title") || el.getAttribute("alt"))).slice(0, 200);
  };
  const rawRef = (el) => {
    const tag = el.localName;
    if (tag === "a" || tag === "area") return el.getAttribute("href") ?? el.getAttribute("xlink:href");
    if (tag === "img") return el.getAttribute("src") || el.getAttribute("data-src") || el.getAttribute("data-original");
    if (tag === "link") return /stylesheet/i.test(el.getAttribute("rel") || "") ? el.getAttribute("href") : null;
    return el.getAttribute("src");
  };

  // ---- modes ----------------------------------------------------------------------------
  if (opts.mode === "element") {
    const el = opts.element;
    const r = el.getBoundingClientRect();
    return {
      hidden_by: judge(el).hidden_by,
      position: cssPath(el),
      origin: [r.left + sx + el.clientLeft, r.top + sy + el.clientTop],
    };
  }

  if (opts.mode === "outline") {
    const pad = 4;
    let box = null;
    let label = opts.label || "问题位置";
    let hidden = null;
    if (opts.selector) {
      let el = null;
      try { el = doc.querySelector(opts.selector); } catch (e) { el = null; }
      if (!el) return {found: false};
      const verdict = judge(el);
      hidden = verdict.hidden_by;
      if (hidden === "same_colour" && !sameColourConfirmed(el)) hidden = null;
      if (!hidden) {
        box = verdict.rect;
      } else if (verdict.rect && verdict.rect[2] > 1 && verdict.rect[3] > 1
                 && verdict.rect[0] + verdict.rect[2] > 0 && verdict.rect[1] + verdict.rect[3] > 0
                 && verdict.rect[0] < FAR_RIGHT) {
        // Hidden in place (transparent, same colour): mark the spot itself.
        label = opts.hiddenLabel || "隐藏链接";
        box = verdict.rect;
      } else {
        // Hidden with no place of its own: mark the nearest ancestor a visitor does see.
        label = opts.hiddenLabel || "隐藏链接";
        const page = Math.max(root.scrollWidth, viewW) * Math.max(root.scrollHeight, win.innerHeight);
        for (let a = el.parentElement; a && a !== body && a !== root; a = a.parentElement) {
          const r = a.getBoundingClientRect();
          if (r.width > 1 && r.height > 1 && !outside(r) && r.width * r.height < page / 2
              && !hiddenBy(a, {boxOnly: true})) {
            box = toDoc(r);
            break;
          }
        }
        if (!box) box = verdict.rect;
      }
    } else {
      box = opts.rect;
    }
    const docW = Math.max(root.scrollWidth, viewW), docH = Math.max(root.scrollHeight, win.innerHeight);
    let [x, y, w, h] = box || [0, 0, viewW, 40];
    w = Math.min(Math.max(w, 40), docW); h = Math.min(Math.max(h, 20), docH);
    x = Math.min(Math.max(x, 0), docW - w); y = Math.min(Math.max(y, 0), docH - h);
    const frame = doc.createElement("div");
    frame.style.cssText = `all:initial;position:absolute;left:${x - pad}px;top:${y - pad}px;`
      + `width:${w + 2 * pad}px;height:${h + 2 * pad}px;border:3px solid #ff0000;box-sizing:border-box;`
      + "z-index:2147483647;pointer-events:none;";
    const tag = doc.createElement("div");
    tag.textContent = label;
    const tagTop = y - pad - 26 >= 0 ? y - pad - 26 : y + h + pad;
    tag.style.cssText = `all:initial;position:absolute;left:${x - pad}px;top:${tagTop}px;`
      + "background:#ff0000;color:#ffffff;font:bold 14px/20px sans-serif;padding:3px 8px;"
      + "white-space:nowrap;z-index:2147483647;pointer-events:none;";
    root.appendChild(frame);
    root.appendChild(tag);
    win.scrollTo(Math.max(0, x + w / 2 - viewW / 2), Math.max(0, y - win.innerHeight / 3));
    return {found: true, hidden_by: hidden, box: [x, y, w, h], label};
  }

  // mode "scan"
  const limit = opts.limit || 5000;
  const elements = Array.from(doc.querySelectorAll("a, area, img, iframe, frame, embed, link")).slice(0, limit);
  const links = [];
  const guesses = [];
  for (const el of elements) {
    const ref = rawRef(el);
    if (ref === null || ref === undefined) continue;
    const judged = el.localName !== "link";
    const verdict = judged ? judge(el) : {hidden_by: null, rect: null};
    const item = {tag: el.localName, href: ref, text: linkText(el), position: cssPath(el), judged, ...verdict};
    if (item.hidden_by === "same_colour") guesses.push([item, el]);
    links.push(item);
  }
  for (const [item, el] of guesses) if (!sameColourConfirmed(el)) item.hidden_by = null;
  const meta = Array.from(doc.querySelectorAll("meta[name]")).map((m) => [m.getAttribute("name"), m.getAttribute("content")]);
  return {
    base: doc.baseURI,
    title: doc.title,
    text: body ? body.innerText : "",
    meta: meta.filter(([, c]) => c !== null),
    scripts: Array.from(doc.querySelectorAll("script[src]")).map((s) => s.getAttribute("src")),
    links,
    charset: doc.characterSet,
  };
}
