"""report.md and report.html: one list of blocks, rendered as Markdown and as self-contained
HTML (images embedded as data: URIs; the interactive charts, interactive.py, inline their
script). The ranking table, the differences' title, names, sentences and notes are
summary.json's, verbatim."""
import base64
import html
import json
import os
import re
import shlex

from . import interactive


class Text:
    """Inline text: a list of (kind, string), kind one of text, code, b."""

    def __init__(self, *parts):
        self.parts = []
        for p in parts:
            self.add(p)

    def add(self, p):
        if isinstance(p, Text):
            self.parts.extend(p.parts)
        elif isinstance(p, tuple):
            self.parts.append(p)
        else:
            self.parts.append(("text", str(p)))
        return self

    def plain(self):
        return "".join(s for _, s in self.parts)

    def md(self):
        out = []
        for kind, s in self.parts:
            if kind == "code":
                tick = "``" if "`" in s else "`"
                out.append(tick + s + tick)
            elif kind == "b":
                out.append("**" + md_escape(s) + "**")
            else:
                out.append(md_escape(s))
        return "".join(out)

    def html(self):
        tags = {"code": "code", "b": "strong"}
        return "".join("<%s>%s</%s>" % (tags[k], html.escape(s), tags[k]) if k in tags
                       else html.escape(s) for k, s in self.parts)


def code(s):
    return ("code", str(s))


def bold(s):
    return ("b", str(s))


def md_escape(s):
    for ch in "\\`*_[]<>|":
        s = s.replace(ch, "\\" + ch)
    return s


def listing(items, sep=", "):
    t = Text()
    for i, item in enumerate(items):
        t.add(sep if i else "").add(code(item))
    return t


# -- content -------------------------------------------------------------------------------------

def setup_items(sweep):
    results, summary, config = sweep.results, sweep.summary, sweep.config
    items = []
    command = results.get("command")
    if command:
        items.append(Text("Command: ", code(" ".join(shlex.quote(c) for c in command))))
    data = config.get("data") if isinstance(config.get("data"), dict) else {}
    t = Text("Data set: ", summary["dataset_label"])
    limits = [(data.get("train_limit"), "training"), (data.get("test_limit"), "test")]
    limits = ["the first %d %s examples" % (n, what) for n, what in limits
              if isinstance(n, int) and n > 0]
    if limits:
        t.add(" (" + " and ".join(limits) + ")")
    items.append(t)
    items.append(Text("Activations: ", listing(a["label"] for a in sweep.activations),
                      "; paired differences against ", code(summary["baseline"])))
    axes = [k for k in summary["axes"] if k != "train.seed"]
    if axes:
        items.append(Text("Swept: ", listing(axes), "; points: ",
                          listing((p.text for p in sweep.points), "; ")))
    if summary["seeds"]:
        items.append(Text("Seeds: ", listing(str(s) for s in summary["seeds"])))
    env = [text + str(results[key]) for key, text in
           (("device", "device "), ("actbench_version", "actbench "),
            ("libtorch_version", "LibTorch "), ("finished_at", "finished "))
           if results.get(key)]
    if env:
        items.append(Text(", ".join(env)))
    return items


def ranking_blocks(summary):
    table = summary["table"]
    return [("h2", Text("Ranking")),
            ("p", Text("As ", code("actbench"), " prints it, from ", code("summary.json"),
                       ": one row per activation and swept setting, ranked by mean final test "
                       "accuracy over the completed seeds; ", summary["spread_sentence"], ".")),
            ("table", table_content(table))]


def table_content(table):
    return ([Text(c) for c in table["columns"]], [[Text(cell) for cell in row]
                                                  for row in table["rows"]])


def difference_blocks(summary):
    if not summary["differences"]:
        return []
    return [("h2", Text("Paired tests")), ("p", Text(summary["differences_title"])),
            ("table", table_content(summary["differences_table"])),
            ("p", Text("Each row pairs the runs of one activation and of ", code(
                summary["baseline"]), " that share a seed (the same initial weights and "
                "batches): the paired t-test and Wilcoxon signed-rank p-values, the t-test's "
                "Holm-adjusted p-value, the effect size d_z (mean difference over the standard "
                "deviation of the differences), the smallest difference these seeds would "
                "detect with 80% power, and the verdict, all from ", code("summary.json"), "."))]


def interactive_blocks(sweep):
    """The interactive charts (report.html only; report.md points there), when there are any."""
    if not interactive.has_charts(sweep):
        return []
    return [("h2", Text("Interactive charts")), ("interactive", sweep)]


def report_path(path, out_dir):
    """`path` as the report names it: relative to the report's directory (so the report and DIR
    can move together, and no user's home directory is written into it)."""
    return os.path.relpath(os.path.abspath(path), os.path.abspath(out_dir))


def build_report(sweep, canvas):
    summary = sweep.summary
    config = sweep.config
    name = config.get("name") or os.path.basename(os.path.dirname(os.path.abspath(
        sweep.results_path))) or "sweep"
    blocks = [("h1", Text("actbench report: ", str(name)))]
    intro = Text("%d of %d planned runs finished" % (summary["runs_finished"],
                                                     summary["runs_planned"]))
    if not summary["complete"]:
        intro.add(" (the sweep is not complete: rerun it, or ").add(code("actbench merge")) \
            .add(" once the other shards are done)")
    intro.add(", from ").add(code(report_path(sweep.results_path, canvas.out_dir))).add(": ") \
        .add(summary["setup"]["text"]).add(".")
    blocks.append(("p", intro))
    body = [("h2", Text("Setup")), ("ul", setup_items(sweep))]
    base = "{\n%s\n}" % ",\n".join("  %s: %s" % (json.dumps(k), json.dumps(v, sort_keys=True))
                                   for k, v in sorted(config.items()) if k != "sweep")
    body.append(("details", ("The resolved base config, from results.json (the swept keys "
                             "take the values above)", base)))
    body.extend(ranking_blocks(summary))
    body.extend(difference_blocks(summary))
    body.extend(interactive_blocks(sweep))
    body.append(("h2", Text("Figures")))
    image_format = "png" if "png" in canvas.formats else canvas.formats[0]
    for fig_name, title, caption in canvas.figures:
        body.append(("h3", Text(title)))
        body.append(("img", (title, fig_name + "." + image_format, Text(caption))))
    if canvas.skipped:
        body.append(("p", Text(bold("Not drawn:"))))
        body.append(("ul", [Text(code(n), ": " + why + ".") for n, why in canvas.skipped]))
    body = with_anchors(body)
    blocks.append(("toc", [(kind, text, anchor) for kind, text, anchor in
                           (b for b in body if b[0] in ("h2", "h3"))]))
    return blocks + body


def slug(text):
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def with_anchors(blocks):
    """Headings as (kind, text, anchor), anchors unique."""
    seen = {}
    out = []
    for b in blocks:
        if b[0] in ("h2", "h3"):
            anchor = slug(b[1].plain())
            if anchor in seen:
                seen[anchor] += 1
                anchor = "%s-%d" % (anchor, seen[anchor])
            else:
                seen[anchor] = 0
            b = (b[0], b[1], anchor)
        out.append(b)
    return out


# -- rendering -----------------------------------------------------------------------------------

def numeric_columns(rows, count):
    """Columns whose every cell starts like a number ("98.04 ± 0.21", "-"): right-aligned."""
    return [bool(rows) and all(r[i].plain()[:1] in "0123456789-" for r in rows)
            for i in range(count)]


def render_markdown(blocks):
    out = []
    for block in blocks:
        kind, content = block[0], block[1]
        if kind in ("h1", "h2", "h3"):
            out.append("#" * int(kind[1]) + " " + content.md())
        elif kind == "toc":
            out.append("**Contents**\n\n" + "\n".join(
                "%s- [%s](#%s)" % ("  " if level == "h3" else "", md_escape(text.plain()), anchor)
                for level, text, anchor in content))
        elif kind == "p":
            out.append(content.md())
        elif kind == "ul":
            out.append("\n".join("- " + t.md() for t in content))
        elif kind == "details":
            summary, text = content
            out.append("%s:\n\n```json\n%s\n```" % (md_escape(summary), text))
        elif kind == "table":
            header, rows = content
            right = numeric_columns(rows, len(header))
            lines = ["| " + " | ".join(h.md() for h in header) + " |",
                     "|" + "|".join(" ---: " if r else " --- " for r in right) + "|"]
            for row in rows:
                lines.append("| " + " | ".join(c.md() for c in row) + " |")
            out.append("\n".join(lines))
        elif kind == "interactive":
            out.append("In %s: the training loss, test loss and test accuracy by epoch, to zoom "
                       "into, read on hover and show or hide by activation."
                       % Text(code("report.html")).md())
        elif kind == "img":
            title, path, caption = content
            out.append("![%s](%s)\n\n*%s*" % (md_escape(title), path, caption.md()))
    return "\n\n".join(out) + "\n"


_CSS = """
body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #ddd; padding-bottom: .3em; }
h2 { border-bottom: 1px solid #eee; padding-bottom: .2em; margin-top: 1.8em; }
code { background: #f4f4f4; padding: 0 .25em; border-radius: 3px; font-size: 90%; }
pre { background: #f8f8f8; padding: .6em; overflow-x: auto; font-size: 85%; }
table { border-collapse: collapse; margin: 1em 0; font-size: 92%; }
th, td { border: 1px solid #ddd; padding: .3em .6em; }
th { background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fbfbfb; }
figure { margin: 1em 0 2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-style: italic; margin-top: .3em; }
nav.toc { background: #fafafa; border: 1px solid #eee; padding: .2em 1em .6em 1em; }
nav.toc h2 { border: none; margin-top: .6em; font-size: 1.1em; }
nav.toc ul { margin: .2em 0; }
"""


def render_html(blocks, out_dir):
    body = []
    title = "actbench report"
    css = _CSS
    for block in blocks:
        kind, content = block[0], block[1]
        if kind in ("h1", "h2", "h3"):
            if kind == "h1":
                title = content.plain()
            anchor = ' id="%s"' % html.escape(block[2], quote=True) if len(block) > 2 else ""
            body.append("<%s%s>%s</%s>" % (kind, anchor, content.html(), kind))
        elif kind == "toc":
            items, open_sub = [], False
            for level, text, anchor in content:
                if level == "h3" and not open_sub:
                    items.append("<ul>")
                    open_sub = True
                elif level == "h2" and open_sub:
                    items.append("</ul></li>")
                    open_sub = False
                elif level == "h2" and items:
                    items.append("</li>")
                items.append('<li><a href="#%s">%s</a>%s' % (
                    html.escape(anchor, quote=True), text.html(), "</li>" if level == "h3"
                    else ""))
            items.append("</ul></li>" if open_sub else "</li>")
            body.append('<nav class="toc"><h2>Contents</h2>\n<ul>\n%s\n</ul></nav>'
                        % "\n".join(items))
        elif kind == "p":
            body.append("<p>%s</p>" % content.html())
        elif kind == "ul":
            body.append("<ul>\n%s\n</ul>" % "\n".join("<li>%s</li>" % t.html() for t in content))
        elif kind == "details":
            summary, text = content
            body.append("<details><summary>%s</summary>\n<pre>%s</pre>\n</details>"
                        % (html.escape(summary), html.escape(text)))
        elif kind == "table":
            header, rows = content
            right = numeric_columns(rows, len(header))
            lines = ["<table>", "<thead><tr>%s</tr></thead>"
                     % "".join("<th>%s</th>" % h.html() for h in header), "<tbody>"]
            for row in rows:
                lines.append("<tr>%s</tr>" % "".join(
                    "<td%s>%s</td>" % (' class="num"' if r else "", c.html())
                    for c, r in zip(row, right)))
            lines.append("</tbody></table>")
            body.append("\n".join(lines))
        elif kind == "interactive":
            css += interactive.head_css()
            body.append(interactive.render_section(content))
        elif kind == "img":
            alt, path, caption = content
            with open(os.path.join(out_dir, path), "rb") as f:
                raw = f.read()
            mime = "image/png" if path.endswith(".png") else "image/svg+xml"
            uri = "data:%s;base64,%s" % (mime, base64.b64encode(raw).decode("ascii"))
            body.append('<figure>\n<img src="%s" alt="%s" width="1500" height="900">\n'
                        "<figcaption>%s</figcaption>\n</figure>"
                        % (uri, html.escape(alt, quote=True), caption.html()))
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n%s\n</body>\n</html>\n"
            % (html.escape(title), css, "\n".join(body)))
