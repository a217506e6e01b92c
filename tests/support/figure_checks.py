#!/usr/bin/python3
"""What the plot tests (tests/e2e: plot_script, paper_style, report_browser) measure in files C++
cannot read itself; prints one JSON object.

  figure_checks.py pdf FILE   the page size in points; every font size the page's text is set in
                              (the operand of each Tf in the decompressed content streams); each
                              font's subtype and whether its file is embedded, and which kind
  figure_checks.py png FILE   a screenshot's size, how many colours it has, the share of its
                              commonest colour, of dark pixels (text) and of saturated ones
                              (a figure's lines and markers)

Standard library only for PDFs (zlib); Pillow (python3-pil, which python3-matplotlib depends on)
for PNGs.
"""
import json
import re
import sys
import zlib


def pdf(path):
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"%PDF-"):
        return {"error": "not a PDF"}
    boxes = [[float(v) for v in m.groups()] for m in re.finditer(
        rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", data)]
    sizes = set()
    streams = 0
    for m in re.finditer(rb"\bstream\r?\n", data):
        start = m.end()
        header = data[data.rfind(b" obj", 0, m.start()):m.start()]
        if b"/FlateDecode" not in header and b"/Filter" in header:
            continue  # another filter: not text
        raw = data[start:data.index(b"endstream", start)]
        if b"/FlateDecode" in header:
            try:
                raw = zlib.decompressobj().decompress(raw)
            except zlib.error:
                continue
        streams += 1
        for s in re.finditer(rb"/[A-Za-z0-9_.+-]+\s+([\d.]+)\s+Tf\b", raw):
            sizes.add(float(s.group(1)))
    fonts = []
    for m in re.finditer(rb"/Type\s*/Font\b", data):
        start = data.rfind(b"obj", 0, m.start())
        end = data.find(b"endobj", m.start())
        obj = data[start:end]
        subtype = re.search(rb"/Subtype\s*/(\w+)", obj)
        name = re.search(rb"/BaseFont\s*/([^\s/>]+)", obj)
        fonts.append({"subtype": subtype.group(1).decode() if subtype else None,
                      "name": name.group(1).decode("latin-1") if name else None})
    descriptors = {"FontFile": 0, "FontFile2": 0, "FontFile3": 0}
    for key in descriptors:
        descriptors[key] = len(re.findall(rb"/" + key.encode() + rb"\s+\d+\s+\d+\s+R", data))
    return {"media_boxes": boxes, "font_sizes": sorted(sizes), "streams": streams,
            "fonts": fonts, "font_files": descriptors}


def png(path):
    from PIL import Image
    im = Image.open(path).convert("RGB")
    w, h = im.size
    colours = im.getcolors(maxcolors=w * h)
    total = float(w * h)
    commonest = max(c for c, _ in colours)
    dark = sum(c for c, (r, g, b) in colours if 0.299 * r + 0.587 * g + 0.114 * b < 100)
    saturated = sum(c for c, (r, g, b) in colours if max(r, g, b) - min(r, g, b) > 80)
    return {"width": w, "height": h, "colours": len(colours), "commonest": commonest / total,
            "dark": dark / total, "saturated": saturated / total}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("pdf", "png"):
        print("usage: figure_checks.py pdf|png FILE", file=sys.stderr)
        return 2
    print(json.dumps({"pdf": pdf, "png": png}[sys.argv[1]](sys.argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
