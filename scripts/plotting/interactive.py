"""The interactive charts of report.html: the per-epoch training loss, test loss and test accuracy
(summary.json's groups[].series), a chart per metric and swept point, one line per group in its
activation's colour and line style, drawn in the browser by uPlot. uPlot is vendored in vendor/
(from npm, with its licence) and inlined into the page with the data, so report.html stays one
file that works offline.

The reader zooms into epochs (a drag across a chart, or "last N epochs"; a double click or "all
epochs" zooms out), reads every line's mean +- std at an epoch on hover (the legends), and hides
or shows an activation (its legend entry, or its box above the charts); every chart follows.

For the browser test (tests/e2e/report_browser_test.cpp), report.html?zoom=N&drag=A-B&hide=LABEL
&hover=E does these itself -- the "last N epochs" button, a mouse drag from epoch A to B across
the first chart, a click on LABEL's legend entry there, the cursor on epoch E -- and then writes
what the charts show (x and y ranges, shown lines, legend readouts) as JSON into
<pre id="interactive-state">.
"""
import json
import os

UPLOT_VERSION = "1.6.32"
VENDOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor")

# (series key, title, y axis label, decimals in the readout), in the static figures' order.
METRICS = (("train_loss", "Training loss by epoch", "cross-entropy loss (nats)", 4),
           ("test_loss", "Test loss by epoch", "cross-entropy loss (nats)", 4),
           ("test_accuracy", "Test accuracy by epoch", "test accuracy (%)", 2))

# matplotlib's named dashes (on, off, ... in line widths), as summary.json names them.
_DASHES = {"solid": [], "dashed": [3.7, 1.6], "dashdot": [6.4, 1.6, 1.0, 1.6],
           "dotted": [1.0, 1.65]}
LINE_WIDTH = 2  # CSS pixels


def vendored(name):
    """The text of a file in vendor/."""
    with open(os.path.join(VENDOR, name), encoding="utf-8") as f:
        return f.read()


def dash_pattern(dash):
    """summary.json's dash (a name, or on-off lengths in line widths) as canvas setLineDash
    lengths in pixels, [] for a solid line."""
    units = _DASHES[dash] if isinstance(dash, str) else dash
    return [round(float(d) * LINE_WIDTH, 2) for d in units]


def has_charts(sweep):
    """Whether any group has one of the metrics to chart."""
    return any(sweep.has_series(key) for key, _, _, _ in METRICS)


def chart_data(sweep):
    """What the page draws: the number of epochs, the activations (label, colour, dash) in display
    order, and a chart per metric and point with one line (label, means, stds) per group."""
    charts, epochs = [], 1
    for key, title, axis, digits in METRICS:
        if not sweep.has_series(key):
            continue
        for point in sweep.points:
            lines = [{"label": g["activation"], "mean": g["series"][key]["mean"],
                      "std": g["series"][key]["std"]} for g in point.groups if key in g["series"]]
            if not lines:
                continue
            epochs = max([epochs] + [len(line["mean"]) for line in lines])
            charts.append({"metric": key, "point": point.text, "axis": axis, "digits": digits,
                           "title": title + (" (%s)" % point.text if len(sweep.points) > 1
                                             else ""), "lines": lines})
    labels = set(line["label"] for c in charts for line in c["lines"])
    activations = [{"label": a["label"], "color": a["color"], "dash": dash_pattern(a["dash"])}
                   for a in sweep.activations if a["label"] in labels]
    return {"epochs": epochs, "activations": activations, "charts": charts}


def script_json(value):
    """JSON for a <script> element: "</" escaped so that no "</script>" can end it early."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).replace("</", "<\\/")


def head_css():
    """The charts' CSS, for the page's <head>: uPlot's own, then the section's."""
    return vendored("uPlot.min.css") + "\n" + _CSS


def render_section(sweep):
    """The section's HTML: the help line, where the script puts the controls and the charts, the
    data, uPlot and the page's script."""
    return ("<div id=\"interactive\">\n<p class=\"ia-help\">Drag across a chart to zoom into "
            "those epochs (double-click: all epochs), hover for every line's mean \u00b1 std over "
            "the seeds at an epoch, click a legend entry or a box to hide or show an activation; "
            "every chart follows. uPlot %s, in this page: no network needed.</p>\n"
            "<div id=\"ia-controls\" class=\"ia-controls\"></div>\n"
            "<div id=\"ia-charts\" class=\"ia-charts\"></div>\n"
            "<noscript><p>The interactive charts need JavaScript; the figures below show the "
            "same data.</p></noscript>\n</div>\n"
            "<script type=\"application/json\" id=\"interactive-data\">%s</script>\n"
            "<script>/* uPlot %s (MIT licence), scripts/plotting/vendor/ */\n%s</script>\n"
            "<script>%s</script>"
            % (UPLOT_VERSION, script_json(chart_data(sweep)), UPLOT_VERSION,
               vendored("uPlot.iife.min.js"), _SCRIPT))


_CSS = """
.ia-help { color: #555; }
.ia-controls { display: flex; flex-wrap: wrap; align-items: center; gap: .4em 1.4em;
               margin: .6em 0 1em 0; }
.ia-controls input[type=number] { width: 4em; }
.ia-controls label { white-space: nowrap; }
.ia-swatch { display: inline-block; width: 1.8em; margin: 0 .3em; vertical-align: middle; }
.ia-charts { display: flex; flex-wrap: wrap; gap: 1.2em 1em; }
.ia-charts .u-title { font-size: 15px; }
.ia-charts .u-legend { font-size: 13px; margin: 0; }
.ia-charts .u-legend th, .ia-charts .u-legend td { border: none; background: none;
                                                   padding: 1px 2px; }
.ia-charts .u-legend .u-value { font-variant-numeric: tabular-nums; }
#interactive-state { display: none; }
"""

# The page's script. Plain DOM and uPlot: builds the controls and a uPlot chart per entry of the
# data, keeps them in step (zoom, shown lines, cursor), and runs the scripted steps of the query.
_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("interactive-data").textContent);
  var host = document.getElementById("ia-charts");
  var controls = document.getElementById("ia-controls");
  var plots = [], boxes = {}, following = false;
  var SYNC = "actbench-epochs";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }

  function fmt(v, digits) { return v == null ? "\u2013" : v.toFixed(digits); }

  function seriesIndex(u, label) {
    for (var i = 1; i < u.series.length; i++) if (u.series[i].label === label) return i;
    return -1;
  }

  function zoom(min, max) {
    plots.forEach(function (u) { u.setScale("x", {min: min, max: max}); });
  }

  // A drag-zoom or a double click on one chart: the others take its x range.
  function follow(u, key) {
    if (key !== "x" || following) return;
    following = true;
    plots.forEach(function (p) {
      if (p !== u && (p.scales.x.min !== u.scales.x.min || p.scales.x.max !== u.scales.x.max)) {
        p.setScale("x", {min: u.scales.x.min, max: u.scales.x.max});
      }
    });
    following = false;
  }

  function show(label, on) {
    plots.forEach(function (u) {
      var i = seriesIndex(u, label);
      if (i > 0 && u.series[i].show !== on) u.setSeries(i, {show: on}, true, false);
    });
  }

  // A line shown or hidden (a box, or a legend click that cursor.sync hands to every chart).
  function shown(u, i, opts) {
    if (opts.show == null) return;
    u.series.forEach(function (s, k) {
      if (k > 0 && (i == null || i === k) && boxes[s.label]) boxes[s.label].checked = s.show;
    });
  }

  function addControls() {
    var n = Math.max(2, Math.min(data.epochs - 1, Math.round(data.epochs / 4)));
    if (data.epochs > 2) {
      var last = el("input", {type: "number", id: "ia-last", min: 2, max: data.epochs, value: n});
      var label = el("label", {}, "Last ");
      label.appendChild(last);
      label.appendChild(document.createTextNode(" epochs "));
      var go = el("button", {type: "button", id: "ia-zoom"}, "Zoom in");
      go.addEventListener("click", function () {
        var k = Math.max(2, Math.min(data.epochs, Math.round(+last.value) || n));
        zoom(data.epochs - k + 1, data.epochs);
      });
      var span = el("span");
      span.appendChild(label);
      span.appendChild(go);
      controls.appendChild(span);
    }
    var all = el("button", {type: "button", id: "ia-all"}, "All epochs");
    all.addEventListener("click", function () { zoom(1, data.epochs); });
    controls.appendChild(all);
    var acts = el("span", {}, "Show: ");
    data.activations.forEach(function (a) {
      var box = el("input", {type: "checkbox", "data-label": a.label});
      box.checked = true;
      box.addEventListener("change", function () { show(a.label, box.checked); });
      boxes[a.label] = box;
      var swatch = el("canvas", {class: "ia-swatch", width: 36, height: 8});
      var g = swatch.getContext("2d");
      g.strokeStyle = a.color;
      g.lineWidth = 2;
      g.setLineDash(a.dash);
      g.beginPath(); g.moveTo(0, 4); g.lineTo(36, 4); g.stroke();
      var item = el("label");
      item.appendChild(box);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(a.label));
      acts.appendChild(item);
      acts.appendChild(document.createTextNode(" "));
    });
    controls.appendChild(acts);
  }

  function chartWidth() {
    var cols = Math.min(2, new Set(data.charts.map(function (c) { return c.point; })).size);
    return Math.max(320, Math.floor((host.clientWidth - 16 * (cols - 1)) / cols));
  }

  function addChart(c, width) {
    var style = {};
    data.activations.forEach(function (a) { style[a.label] = a; });
    var x = [], columns = [x];
    for (var e = 1; e <= data.epochs; e++) x.push(e);
    var series = [{label: "epoch",
                   value: function (u, v) { return v == null ? "\u2013" : String(v); }}];
    c.lines.forEach(function (l) {
      var mean = x.map(function (_, k) { return k < l.mean.length ? l.mean[k] : null; });
      columns.push(mean);
      series.push({
        label: l.label, stroke: style[l.label].color, width: 2, dash: style[l.label].dash,
        points: {size: 6},
        value: function (u, v, si, k) {
          if (k == null || mean[k] == null) return "\u2013";
          var sd = k < l.std.length ? l.std[k] : null;
          return fmt(mean[k], c.digits) + (sd == null ? "" : " \u00b1 " + fmt(sd, c.digits));
        }
      });
    });
    var sameLabel = function (u, src, i) {
      return i == null ? null : seriesIndex(u, src.series[i].label);
    };
    var eq = function (a, b) { return a === b; };
    plots.push(new uPlot({
      title: c.title, width: width, height: 280, series: series,
      scales: {x: {time: false}},
      axes: [{label: "epoch", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]},
             {label: c.axis, size: 64}],
      cursor: {drag: {x: true, y: false},
               sync: {key: SYNC, setSeries: true, match: [eq, eq, sameLabel]}},
      hooks: {setScale: [follow], setSeries: [shown]}
    }, columns, host));
  }

  // What the charts show, for the browser test.
  function state() {
    var on = {};
    Object.keys(boxes).forEach(function (k) { on[k] = boxes[k].checked; });
    return {epochs: data.epochs, boxes: on, charts: plots.map(function (u, k) {
      var readout = {}, lines = {};
      u.root.querySelectorAll(".u-legend .u-series").forEach(function (row) {
        readout[row.querySelector(".u-label").textContent] =
            row.querySelector(".u-value").textContent;
      });
      u.series.forEach(function (s, i) { if (i > 0) lines[s.label] = s.show; });
      return {metric: data.charts[k].metric, point: data.charts[k].point,
              x: [u.scales.x.min, u.scales.x.max], y: [u.scales.y.min, u.scales.y.max],
              epoch: u.cursor.idx == null ? null : u.data[0][u.cursor.idx],
              shown: lines, readout: readout};
    })};
  }

  function mouse(target, type, u, epoch) {
    var r = u.over.getBoundingClientRect();
    target.dispatchEvent(new MouseEvent(type, {
      bubbles: true, cancelable: true, button: 0, buttons: type === "mouseup" ? 0 : 1,
      movementX: type === "mousemove" ? 1 : 0, clientX: r.left + u.valToPos(epoch, "x"),
      clientY: r.top + r.height / 2}));
  }

  // ?zoom=N&drag=A-B&hide=LABEL&hover=E, in that order, each once the charts have drawn the
  // one before; then the state into the page.
  function scripted(q) {
    var u = plots[0], steps = [];
    if (q.has("zoom")) steps.push(function () {
      document.getElementById("ia-last").value = q.get("zoom");
      document.getElementById("ia-zoom").click();
    });
    if (q.has("drag")) steps.push(function () {
      var ab = q.get("drag").split("-").map(Number);
      mouse(u.over, "mouseenter", u, ab[0]);
      mouse(u.over, "mousedown", u, ab[0]);
      mouse(u.over, "mousemove", u, ab[1]);
      mouse(document, "mouseup", u, ab[1]);
    });
    if (q.has("hide")) steps.push(function () {
      var row = u.root.querySelectorAll(".u-legend .u-series")[seriesIndex(u, q.get("hide"))];
      if (row) row.querySelector(".u-label").click();
    });
    if (q.has("hover")) steps.push(function () {
      u.setCursor({left: u.valToPos(+q.get("hover"), "x"), top: u.over.clientHeight / 2},
                  true, true);
    });
    steps.push(function () {
      var out = el("pre", {id: "interactive-state"}, JSON.stringify(state()));
      document.getElementById("interactive").appendChild(out);
    });
    (function next() { if (steps.length) { steps.shift()(); setTimeout(next, 0); } })();
  }

  addControls();
  var width = chartWidth();
  data.charts.forEach(function (c) { addChart(c, width); });
  window.addEventListener("resize", function () {
    var w = chartWidth();
    plots.forEach(function (u) { u.setSize({width: w, height: 280}); });
  });
  var q = new URLSearchParams(location.search);
  if (["zoom", "drag", "hide", "hover"].some(function (k) { return q.has(k); })) {
    window.addEventListener("load", function () { scripted(q); });
  }
})();
"""
